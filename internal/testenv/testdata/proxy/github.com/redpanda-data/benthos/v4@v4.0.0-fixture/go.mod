module github.com/redpanda-data/benthos/v4

go 1.22

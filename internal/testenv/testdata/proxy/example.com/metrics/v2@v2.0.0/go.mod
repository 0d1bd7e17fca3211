module example.com/metrics/v2

go 1.22

require example.com/server v1.4.2

module example.com/metrics

go 1.22

require example.com/server v1.4.2

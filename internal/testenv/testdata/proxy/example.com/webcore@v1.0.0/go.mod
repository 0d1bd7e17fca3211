module example.com/webcore

go 1.22

require example.com/logger v0.2.0

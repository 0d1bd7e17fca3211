module example.com/dnsplug

go 1.22

require example.com/logger v0.3.0

module github.com/coredns/coredns

go 1.22

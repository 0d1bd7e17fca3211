module example.com/hooked

go 1.22

require github.com/plugctl/plugctl/plug v0.0.0

module example.com/type

go 1.26

require github.com/plugctl/plugctl/plug v0.1.0

module github.com/plugctl/plugctl/plug

go 1.26

module example.com/my_plug

go 1.26

require github.com/plugctl/plugctl/plug v0.0.0

replace github.com/plugctl/plugctl/plug => "/src/plugctl/plug`x`"

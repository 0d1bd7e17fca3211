module example.com/wave

go 1.22

require (
	github.com/plugctl/plugctl/examples/core v0.0.0
	github.com/plugctl/plugctl/plug v0.0.0
)

module github.com/plugctl/plugctl/examples/plugins/greeter

go 1.26

require (
	github.com/plugctl/plugctl/examples/core v0.0.0
	github.com/plugctl/plugctl/plug v0.0.0
)

replace (
	github.com/plugctl/plugctl/examples/core => ../../core
	github.com/plugctl/plugctl/plug => ../../../plug
)

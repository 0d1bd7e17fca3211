module example.com/shaped

go 1.26.0

require (
	example.com/deeptest v1.10.0
	example.com/logger v0.3.0
	example.com/server v1.4.2
	example.com/testonly v1.0.0
)

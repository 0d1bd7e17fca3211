module example.com/callsvuln

go 1.22

require (
	example.com/server v1.4.2
	example.com/vulnlib v1.0.0
)

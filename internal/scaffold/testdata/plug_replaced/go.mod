module example.com/acme/audit

go 1.26

require github.com/plugctl/plugctl/plug v0.0.0

replace github.com/plugctl/plugctl/plug => ../plug

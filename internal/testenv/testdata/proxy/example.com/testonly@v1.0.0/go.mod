module example.com/testonly

go 1.22

require example.com/deeptest v1.9.0

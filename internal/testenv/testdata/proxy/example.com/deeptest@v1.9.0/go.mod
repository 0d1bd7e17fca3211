module example.com/deeptest

go 1.22

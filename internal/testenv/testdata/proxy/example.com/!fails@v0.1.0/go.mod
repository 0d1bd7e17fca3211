module example.com/Fails

go 1.22

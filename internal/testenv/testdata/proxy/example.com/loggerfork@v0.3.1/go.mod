module example.com/loggerfork

go 1.22

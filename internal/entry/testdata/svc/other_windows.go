package svc

// OnlyWindows is declared for windows only.
func OnlyWindows() {}

// Package svc is a fixture of golang.org/x/sys/windows/svc.
package svc

import "golang.org/x/sys/windows"

// Handler is a Windows service.
type Handler interface {
	Execute(args []string) (bool, uint32)
}

// Run runs handler as the service name; the fixture is never a service.
func Run(name string, handler Handler) error {
	return windows.ERROR_FAILED_SERVICE_CONTROLLER_CONNECT
}

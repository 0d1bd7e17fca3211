// Package windows is a fixture of golang.org/x/sys/windows: the one error
// the collector's Windows service main looks for.
package windows

import "errors"

// ERROR_FAILED_SERVICE_CONTROLLER_CONNECT is the error of a program the
// Service Control Manager did not start.
var ERROR_FAILED_SERVICE_CONTROLLER_CONNECT = errors.New("the service process could not connect to the service controller")

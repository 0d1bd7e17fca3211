package otelcol

import "golang.org/x/sys/windows/svc"

type svcHandler struct{ set CollectorSettings }

func (svcHandler) Execute([]string) (bool, uint32) { return false, 0 }

// NewSvcHandler returns the collector as a Windows service.
func NewSvcHandler(set CollectorSettings) svc.Handler { return svcHandler{set} }

// Package upper is a Benthos processor that upper-cases each message. In a
// pipeline:
//
//	pipeline:
//	  processors:
//	    - upper: {}
package upper

import (
	"bytes"
	"context"

	"github.com/redpanda-data/benthos/v4/public/service"
)

func init() {
	spec := service.NewConfigSpec().Summary("Upper-cases each message.")
	err := service.RegisterProcessor("upper", spec, func(*service.ParsedConfig, *service.Resources) (service.Processor, error) {
		return upper{}, nil
	})
	if err != nil {
		panic(err)
	}
}

type upper struct{}

func (upper) Process(_ context.Context, m *service.Message) (service.MessageBatch, error) {
	b, err := m.AsBytes()
	if err != nil {
		return nil, err
	}
	m.SetBytes(bytes.ToUpper(b))
	return service.MessageBatch{m}, nil
}

func (upper) Close(context.Context) error { return nil }

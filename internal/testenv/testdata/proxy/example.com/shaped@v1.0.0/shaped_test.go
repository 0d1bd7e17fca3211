package shaped

import (
	"testing"

	"example.com/testonly"
)

func TestShaped(t *testing.T) {
	if testonly.Name() == "" {
		t.Fatal("no name")
	}
}

package plug

import (
	"context"
	"errors"
	"reflect"
	"strconv"
	"sync"
	"testing"
)

func appendFn(s string) func(context.Context, string) (string, error) {
	return func(_ context.Context, v string) (string, error) { return v + s, nil }
}

func TestHookRunsInAttachOrder(t *testing.T) {
	h := NewHook[string]("greet")
	if h.Name() != "greet" {
		t.Errorf("Name: %q", h.Name())
	}
	if got, err := h.Run(context.Background(), "v"); got != "v" || err != nil {
		t.Errorf("empty hook: Run = %q, %v", got, err)
	}
	h.Attach(NewContext(context.Background(), "a", nil), appendFn("-a"))
	h.Attach(NewContext(context.Background(), "b", nil), appendFn("-b"))
	h.Attach(NewContext(context.Background(), "a", nil), appendFn("-a2"))
	got, err := h.Run(context.Background(), "v")
	if got != "v-a-b-a2" || err != nil {
		t.Errorf("Run = %q, %v; want v-a-b-a2", got, err)
	}
	if got, want := h.Plugs(), []string{"a", "b", "a"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Plugs = %q, want %q", got, want)
	}
}

func TestHookFollowsStartOrder(t *testing.T) {
	reset(t)
	h := NewHook[[]string]("names")
	for _, name := range []string{"a", "b", "c"} {
		Register(Plugin{Name: name, Init: func(c *Context) error {
			h.Attach(c, func(_ context.Context, v []string) ([]string, error) { return append(v, c.Name()), nil })
			return nil
		}})
	}
	Configure(Configured{Name: "c"}, Configured{Name: "a"})
	if err := Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	got, err := h.Run(context.Background(), nil)
	if want := []string{"c", "a", "b"}; !reflect.DeepEqual(got, want) || err != nil {
		t.Errorf("Run = %q, %v; want %q", got, err, want)
	}
}

func TestHookError(t *testing.T) {
	errBad := errors.New("bad input")
	h := NewHook[int]("double")
	called := false
	h.Attach(NewContext(context.Background(), "a", nil), func(_ context.Context, v int) (int, error) { return v * 2, nil })
	h.Attach(NewContext(context.Background(), "b", nil), func(_ context.Context, v int) (int, error) { return -1, errBad })
	h.Attach(NewContext(context.Background(), "c", nil), func(_ context.Context, v int) (int, error) { called = true; return v, nil })
	got, err := h.Run(context.Background(), 21)
	if err == nil || err.Error() != `hook "double": plug "b": bad input` || !errors.Is(err, errBad) {
		t.Errorf("Run error: %v", err)
	}
	if got != 42 {
		t.Errorf("Run returned %d, want 42, what plug b was given", got)
	}
	if called {
		t.Error("the hook ran past the failing function")
	}
}

func TestHookCancelled(t *testing.T) {
	h := NewHook[int]("n")
	h.Attach(NewContext(context.Background(), "a", nil), func(context.Context, int) (int, error) {
		t.Error("a function ran with a done context")
		return 0, nil
	})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := h.Run(ctx, 1)
	if err == nil || err.Error() != `hook "n": context canceled` || !errors.Is(err, context.Canceled) {
		t.Errorf("Run error: %v", err)
	}
}

func TestHookPanics(t *testing.T) {
	mustPanic(t, "plug.NewHook: the hook has no name", func() { NewHook[int]("") })
	h := NewHook[int]("n")
	mustPanic(t, `plug: Attach to hook "n" needs the *Context passed to Init`, func() {
		h.Attach(nil, func(_ context.Context, v int) (int, error) { return v, nil })
	})
	mustPanic(t, `plug: plug "a" attached a nil function to hook "n"`, func() {
		h.Attach(NewContext(context.Background(), "a", nil), nil)
	})
}

// TestHookConcurrent is meant for go test -race.
func TestHookConcurrent(t *testing.T) {
	h := NewHook[int]("count")
	inc := func(_ context.Context, v int) (int, error) { return v + 1, nil }
	h.Attach(NewContext(context.Background(), "a", nil), inc)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			c := NewContext(context.Background(), "p"+strconv.Itoa(i), nil)
			h.Attach(c, inc)
		})
		wg.Go(func() {
			for range 100 {
				if n, err := h.Run(context.Background(), 0); n < 1 || err != nil {
					t.Errorf("Run = %d, %v", n, err)
				}
				_ = h.Plugs()
			}
		})
	}
	wg.Wait()
	if n, _ := h.Run(context.Background(), 0); n != 9 {
		t.Errorf("Run = %d, want 9", n)
	}
}

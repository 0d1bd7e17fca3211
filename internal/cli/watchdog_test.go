package cli

import (
	"os"
	"syscall"
	"testing"
	"time"
)

// TestWatchdog: plugctl ends after a signal even when the command does not
// (a read blocked on a FIFO ignored Ctrl-C and SIGTERM): at the second
// signal, or after the grace period; never while plugctl run's program,
// which got the signal too, is still running.
func TestWatchdog(t *testing.T) {
	run := func(grace time.Duration, send ...os.Signal) (chan int, chan os.Signal, chan struct{}) {
		sigs := make(chan os.Signal, len(send))
		exited := make(chan int, 1)
		done := make(chan struct{})
		go func() {
			watchdog(sigs, grace, func(code int) { exited <- code })
			close(done)
		}()
		for _, s := range send {
			sigs <- s
		}
		return exited, sigs, done
	}

	t.Run("second signal", func(t *testing.T) {
		exited, _, done := run(time.Hour, os.Interrupt, syscall.SIGTERM)
		if code := <-exited; code != 130 {
			t.Errorf("exit %d, want 130", code)
		}
		<-done
	})
	t.Run("grace over", func(t *testing.T) {
		exited, _, done := run(time.Millisecond, syscall.SIGTERM)
		if code := <-exited; code != 130 {
			t.Errorf("exit %d, want 130", code)
		}
		<-done
	})
	t.Run("plugctl run's program", func(t *testing.T) {
		programRunning.Store(true)
		defer programRunning.Store(false)
		exited, sigs, done := run(time.Hour, os.Interrupt, os.Interrupt, os.Interrupt)
		close(sigs)
		<-done
		select {
		case code := <-exited:
			t.Errorf("exited %d while the program ran", code)
		default:
		}
	})
}

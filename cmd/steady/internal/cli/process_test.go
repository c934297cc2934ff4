package cli

import (
	"context"
	"io"
	"os/exec"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// process is a command running in the background: Run in this process (start), or the built
// binary (startBinary) when the test needs a real process to kill, pause or find by its pid.
type process struct {
	args           []string
	stdout, stderr output
	done           chan struct{}
	code           int

	cancel context.CancelFunc // in this process: what SIGTERM does to the binary (main's signal context)
	cmd    *exec.Cmd          // the binary
}

// start runs a command line in this process, in the background, until it returns or stop
// cancels its context; the test waits for it to return before it ends.
func start(t *testing.T, env []string, args ...string) *process {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	p := &process{args: args, done: make(chan struct{}), cancel: cancel}
	go func() {
		defer close(p.done)
		defer p.stdout.Close()
		defer p.stderr.Close()
		p.code = Run(ctx, args, lookupIn(env), &p.stdout, &p.stderr)
	}()
	t.Cleanup(func() {
		cancel()
		<-p.done
	})
	return p
}

// startBinary runs the built binary in the background; the test kills it when it ends.
func startBinary(t *testing.T, env []string, args ...string) *process {
	t.Helper()
	p := &process{args: args, done: make(chan struct{}), cmd: exec.Command(steadyBinary(t), args...)}
	p.cmd.Env = binaryEnv(env)
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	require.NoError(t, p.cmd.Start())
	go func() {
		defer close(p.done)
		_ = p.cmd.Wait()
		p.code = p.cmd.ProcessState.ExitCode() // -1 when a signal ended it
		p.stdout.Close()
		p.stderr.Close()
	}()
	t.Cleanup(func() {
		_ = p.cmd.Process.Kill()
		<-p.done
	})
	return p
}

// pid is the binary's process id.
func (p *process) pid() int { return p.cmd.Process.Pid }

// wait returns the outputs and exit code (-1 when a signal ended the binary), within 2 minutes.
func (p *process) wait(t *testing.T) result {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(2 * time.Minute):
		if p.cmd != nil {
			_ = p.cmd.Process.Kill()
		} else {
			p.cancel()
		}
		<-p.done
		t.Fatalf("steady %v did not finish; stderr:\n%s", p.args, p.stderr.String())
	}
	return result{p.stdout.String(), p.stderr.String(), p.code}
}

// stop ends a worker as SIGTERM does and expects a clean exit.
func stop(t *testing.T, p *process) result {
	t.Helper()
	if p.cmd != nil {
		require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
	} else {
		p.cancel()
	}
	r := p.wait(t)
	require.Equal(t, 0, r.code, r.stderr)
	return r
}

// output keeps what a command writes, for reading at the end (String) or as it comes (Reader),
// without ever making the writer wait: a pipe nobody reads any more would block the worker's
// logging.
type output struct {
	mu     sync.Mutex
	grew   chan struct{} // closed and replaced at each write
	buf    []byte
	closed bool
}

func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.buf = append(o.buf, p...)
	o.signal()
	return len(p), nil
}

// Close marks the end: readers get io.EOF once they have read everything.
func (o *output) Close() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.closed = true
	o.signal()
}

func (o *output) signal() {
	if o.grew != nil {
		close(o.grew)
		o.grew = nil
	}
}

func (o *output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return string(o.buf)
}

// Reader reads the output from its start, waiting for more until it is closed.
func (o *output) Reader() io.Reader { return &outputReader{o: o} }

type outputReader struct {
	o   *output
	off int
}

func (r *outputReader) Read(p []byte) (int, error) {
	for {
		r.o.mu.Lock()
		if r.off < len(r.o.buf) {
			n := copy(p, r.o.buf[r.off:])
			r.off += n
			r.o.mu.Unlock()
			return n, nil
		}
		if r.o.closed {
			r.o.mu.Unlock()
			return 0, io.EOF
		}
		if r.o.grew == nil {
			r.o.grew = make(chan struct{})
		}
		grew := r.o.grew
		r.o.mu.Unlock()
		<-grew
	}
}

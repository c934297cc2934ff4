package main

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/steadydb/steady/internal/dbconn"
)

// benchProbe times the fall back to POOLER when DIRECT refuses and when it is black-holed (a
// listener that accepts and never answers), with the default 5 s timeout.
func benchProbe(ctx context.Context, cfg *config) ([]row, error) {
	refused, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	refusedAddr := refused.Addr().String()
	refused.Close()
	hole, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	defer hole.Close()
	go func() {
		var held []net.Conn
		for {
			c, err := hole.Accept()
			if err != nil {
				for _, c := range held {
					c.Close()
				}
				return
			}
			held = append(held, c)
		}
	}()
	var rows []row
	for _, target := range []struct{ name, addr string }{{"refused", refusedAddr}, {"black-holed", hole.Addr().String()}} {
		var times []time.Duration
		for range 5 {
			r, err := dbconn.NewResolver(dbconn.Config{
				DirectURL: "postgres://steady:x@" + target.addr + "/steady?sslmode=prefer",
				PoolerURL: cfg.poolerURL, Logger: quiet,
			})
			if err != nil {
				return nil, err
			}
			d := r.Resolve(ctx)
			if d.MigrationRole != dbconn.Pooler {
				return nil, fmt.Errorf("%s DIRECT resolved to %s", target.name, d.MigrationRole)
			}
			times = append(times, d.ProbeTime)
		}
		var r ratios
		for _, t := range times {
			r = append(r, float64(t)/float64(dbconn.DefaultDirectTimeout))
		}
		rows = append(rows, ratioRow("probe", fmt.Sprintf("fall back to POOLER when DIRECT is %s", target.name),
			ms(median(times)), "timeout "+dbconn.DefaultDirectTimeout.String(), r, "runs", atMost(1), true))
	}
	return rows, nil
}

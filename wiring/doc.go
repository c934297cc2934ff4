// Package wiring assembles the steady worker with fx. It is the only package besides cmd that
// imports fx: every other package exports plain constructors and can be used without it.
//
// One fx.Module per concern. Lifecycle hooks schedule work and return quickly. Order that
// matters is expressed as typed dependencies, not hook order.
package wiring

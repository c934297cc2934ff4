// Package lint judges migrations before they run.
package lint

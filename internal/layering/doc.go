// Package layering holds the test of the import rules docs/architecture.md states, run over
// `go list` so that the document can never drift from the code:
//
//   - no package imports cmd/ or the worker's wiring/ but cmd itself;
//   - the engines under internal/ never import jobs/, workers/, wiring/ or cmd/ (they define
//     the interfaces they consume);
//   - only wiring/ and cmd/ import go.uber.org/fx;
//   - the table of who imports whom in docs/architecture.md is the one `go list` gives
//     (go test ./internal/layering -update writes it).
package layering

// Command openova stands up a Kubernetes platform (bootstrap) and runs its
// day-2 operations (manager); every long operation is a Temporal workflow.
package main

import (
	"os"
)

func main() {
	os.Exit(Main(os.Args[1:]))
}

// Command gen writes zz_generated.go, the constant the plug describes
// itself with.
package main

import "os"

func main() {
	src := "package hooked\n\nconst generated = \"generated for a proxy module by a hook\"\n"
	if err := os.WriteFile("zz_generated.go", []byte(src), 0o644); err != nil {
		panic(err)
	}
}

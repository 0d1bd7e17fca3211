// Package fails is a test plug that does not compile: its errors are shown
// as module@version/path, the path of a module with an upper-case letter
// unescaped.
package fails

var x = nosuchthing

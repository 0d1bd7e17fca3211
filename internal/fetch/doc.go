// Package fetch brings the source of a git or archive plug (or core) onto
// disk and tells what it is: the commit or checksum that pins it, the module
// path its go.mod declares and the go.sum h1: hash of its files (README:
// Versions and the lock).
//
// # Sources
//
// A git source is written git::URL with an https://, ssh:// or file:// URL
// and an optional //sub/dir suffix naming the module's directory inside the
// repository. Its version is resolved against `git ls-remote` by
// Fetcher.ResolveGit: an exact tag, a Masterminds/semver constraint over the
// repository's semver tags (the highest match wins; pre-releases only when
// the constraint names one), "latest", a branch, or a full or abbreviated
// commit hash. For a source with a subdirectory, tags written
// sub/dir/vX.Y.Z (Go's convention for a module in a subdirectory) are used
// when the repository has any, plain vX.Y.Z tags otherwise. Whatever the
// version said, the result is pinned to a full commit hash, and
// Fetcher.FetchGit produces the tree of exactly that commit, without .git.
//
// An archive source is an https:// or file:// URL of a .tar.gz, .tgz or
// .zip file and is pinned by the sha256 checksum the config gives. The
// archive's bytes are checked against it before anything is extracted.
//
// # Why git runs directly, and archives through go-getter
//
// Archives are downloaded with go-getter v2, set up to do nothing plugctl
// does not ask for: only an https getter (with its own http.Client: a byte
// cap, redirect limits, no downgrade to http, no transparent decompression)
// and a file getter that copies, no X-Terraform-Get, no query-string
// options (?archive=, ?checksum=, ?filename= are refused before go-getter
// sees the URL), symlinks disabled, and no decompressor: go-getter only
// downloads. Archives, and the tar git archive makes of a commit, are
// extracted by internal/extract, which checks every entry before it writes
// anything, so an archive holding a "../" path, an absolute path, a link or
// a device, or one that expands beyond the limits, is refused with an error
// naming the entry before a byte is written.
//
// # Hashes
//
// A fetched Tree carries its Sums (internal/modhash): the tree is read once,
// right after it is written, and its module hash at any version and its
// content hash come from that read.
//
// Git does not go through go-getter: its GitGetter (v2.2.5) runs
// `git clone URL DST` and `git checkout REF` with no "--" between options
// and user values, inherits the whole process environment (so
// GIT_TERMINAL_PROMPT and the protocol allow-list cannot be set for one
// call), is started with exec.CommandContext (cancelling kills git but not
// git-remote-https under it), puts git's unredacted output into its errors,
// clones every ref and updates submodules recursively from URLs the
// repository chooses, and cannot fetch one commit. plugctl instead runs git
// itself through internal/run:
//
//   - user values (URLs) only ever follow "--"; refs are never passed to git
//     at all: ls-remote's output is matched in Go and only validated hex
//     commit hashes reach later commands, after --end-of-options;
//   - a URL or version beginning with '-' is refused before git runs;
//   - GIT_TERMINAL_PROMPT=0, GIT_ALLOW_PROTOCOL=file:https:ssh and
//     -c protocol.ext.allow=never -c protocol.fd.allow=never, so no prompt
//     blocks a CI job and no transport runs a command;
//   - variables that would point git at another repository (GIT_DIR,
//     GIT_WORK_TREE, GIT_INDEX_FILE, …) are dropped, so plugctl behaves the
//     same inside a git hook;
//   - one commit is fetched (--depth=1) into a fresh bare repository
//     created without templates, falling back to all branches and tags when
//     a server refuses to serve a commit by hash;
//   - the tree comes out through `git archive` with attributes neutralised
//     ($GIT_DIR/info/attributes), so export-ignore, export-subst and
//     end-of-line conversion never change it: the files are the blobs as
//     committed. Symbolic links and submodules are left out, as Go's module
//     zips leave them out;
//   - credentials in URLs are removed from every message
//     (internal/redact: the whole user-info, up to the last @ before the
//     host, as git and net/url read it).
//
// # Limits
//
// Limits bounds every fetch: bytes downloaded, files in a tree or archive,
// bytes once extracted, and time. The zero Limits means the documented
// defaults.
package fetch

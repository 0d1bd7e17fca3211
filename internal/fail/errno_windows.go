package fail

import "syscall"

// platformErrnos are Windows's own words for a full disk.
var platformErrnos = []error{syscall.Errno(112) /* ERROR_DISK_FULL */, syscall.Errno(39) /* ERROR_HANDLE_DISK_FULL */}

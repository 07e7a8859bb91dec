// The wasi_snapshot_preview1 ABI as data, with no dependencies: errno values, rights, file
// types, flags and the layouts of the structs the functions read and write. Values are those
// of the witx definition (WebAssembly/WASI, phases/snapshot/witx/typenames.witx).

/** Errno values, each with the one-line meaning the witx gives it. */
export const errnoTable = [
  ['SUCCESS', 'No error occurred. System call completed successfully.'],
  ['2BIG', 'Argument list too long.'],
  ['ACCES', 'Permission denied.'],
  ['ADDRINUSE', 'Address in use.'],
  ['ADDRNOTAVAIL', 'Address not available.'],
  ['AFNOSUPPORT', 'Address family not supported.'],
  ['AGAIN', 'Resource unavailable, or operation would block.'],
  ['ALREADY', 'Connection already in progress.'],
  ['BADF', 'Bad file descriptor.'],
  ['BADMSG', 'Bad message.'],
  ['BUSY', 'Device or resource busy.'],
  ['CANCELED', 'Operation canceled.'],
  ['CHILD', 'No child processes.'],
  ['CONNABORTED', 'Connection aborted.'],
  ['CONNREFUSED', 'Connection refused.'],
  ['CONNRESET', 'Connection reset.'],
  ['DEADLK', 'Resource deadlock would occur.'],
  ['DESTADDRREQ', 'Destination address required.'],
  ['DOM', 'Mathematics argument out of domain of function.'],
  ['DQUOT', 'Reserved.'],
  ['EXIST', 'File exists.'],
  ['FAULT', 'Bad address.'],
  ['FBIG', 'File too large.'],
  ['HOSTUNREACH', 'Host is unreachable.'],
  ['IDRM', 'Identifier removed.'],
  ['ILSEQ', 'Illegal byte sequence.'],
  ['INPROGRESS', 'Operation in progress.'],
  ['INTR', 'Interrupted function.'],
  ['INVAL', 'Invalid argument.'],
  ['IO', 'I/O error.'],
  ['ISCONN', 'Socket is connected.'],
  ['ISDIR', 'Is a directory.'],
  ['LOOP', 'Too many levels of symbolic links.'],
  ['MFILE', 'File descriptor value too large.'],
  ['MLINK', 'Too many links.'],
  ['MSGSIZE', 'Message too large.'],
  ['MULTIHOP', 'Reserved.'],
  ['NAMETOOLONG', 'Filename too long.'],
  ['NETDOWN', 'Network is down.'],
  ['NETRESET', 'Connection aborted by network.'],
  ['NETUNREACH', 'Network unreachable.'],
  ['NFILE', 'Too many files open in system.'],
  ['NOBUFS', 'No buffer space available.'],
  ['NODEV', 'No such device.'],
  ['NOENT', 'No such file or directory.'],
  ['NOEXEC', 'Executable file format error.'],
  ['NOLCK', 'No locks available.'],
  ['NOLINK', 'Reserved.'],
  ['NOMEM', 'Not enough space.'],
  ['NOMSG', 'No message of the desired type.'],
  ['NOPROTOOPT', 'Protocol not available.'],
  ['NOSPC', 'No space left on device.'],
  ['NOSYS', 'Function not supported.'],
  ['NOTCONN', 'The socket is not connected.'],
  ['NOTDIR', 'Not a directory or a symbolic link to a directory.'],
  ['NOTEMPTY', 'Directory not empty.'],
  ['NOTRECOVERABLE', 'State not recoverable.'],
  ['NOTSOCK', 'Not a socket.'],
  ['NOTSUP', 'Not supported, or operation not supported on socket.'],
  ['NOTTY', 'Inappropriate I/O control operation.'],
  ['NXIO', 'No such device or address.'],
  ['OVERFLOW', 'Value too large to be stored in data type.'],
  ['OWNERDEAD', 'Previous owner died.'],
  ['PERM', 'Operation not permitted.'],
  ['PIPE', 'Broken pipe.'],
  ['PROTO', 'Protocol error.'],
  ['PROTONOSUPPORT', 'Protocol not supported.'],
  ['PROTOTYPE', 'Protocol wrong type for socket.'],
  ['RANGE', 'Result too large.'],
  ['ROFS', 'Read-only file system.'],
  ['SPIPE', 'Invalid seek.'],
  ['SRCH', 'No such process.'],
  ['STALE', 'Reserved.'],
  ['TIMEDOUT', 'Connection timed out.'],
  ['TXTBSY', 'Text file busy.'],
  ['XDEV', 'Cross-device link.'],
  ['NOTCAPABLE', 'Extension: Capabilities insufficient.'],
] as const;

export type ErrnoName = (typeof errnoTable)[number][0];

/** Errno value by name: `Errno.NOENT === 44`. */
export const Errno = Object.fromEntries(errnoTable.map(([name], value) => [name, value])) as {
  readonly [K in ErrnoName]: number;
};

/** `ENOENT`-style name of an errno value, for logs and messages. */
export function errnoName(value: number): string {
  const entry = errnoTable[value];
  return entry ? `E${entry[0]}` : `errno ${value}`;
}

/** Rights bits, in bit order (witx `rights`). */
export const rightNames = [
  'FD_DATASYNC',
  'FD_READ',
  'FD_SEEK',
  'FD_FDSTAT_SET_FLAGS',
  'FD_SYNC',
  'FD_TELL',
  'FD_WRITE',
  'FD_ADVISE',
  'FD_ALLOCATE',
  'PATH_CREATE_DIRECTORY',
  'PATH_CREATE_FILE',
  'PATH_LINK_SOURCE',
  'PATH_LINK_TARGET',
  'PATH_OPEN',
  'FD_READDIR',
  'PATH_READLINK',
  'PATH_RENAME_SOURCE',
  'PATH_RENAME_TARGET',
  'PATH_FILESTAT_GET',
  'PATH_FILESTAT_SET_SIZE',
  'PATH_FILESTAT_SET_TIMES',
  'FD_FILESTAT_GET',
  'FD_FILESTAT_SET_SIZE',
  'FD_FILESTAT_SET_TIMES',
  'PATH_SYMLINK',
  'PATH_REMOVE_DIRECTORY',
  'PATH_UNLINK_FILE',
  'POLL_FD_READWRITE',
  'SOCK_SHUTDOWN',
  'SOCK_ACCEPT',
] as const;

export type RightName = (typeof rightNames)[number];

/** Right bit by name, as a BigInt (rights are u64 on the ABI). */
export const Rights = Object.fromEntries(
  rightNames.map((name, bit) => [name, 1n << BigInt(bit)]),
) as {
  readonly [K in RightName]: bigint;
};

const allRights = (1n << BigInt(rightNames.length)) - 1n;
function rightsOf(...names: RightName[]): bigint {
  return names.reduce((set, name) => set | Rights[name], 0n);
}

/** Rights of an fd on a regular file. */
export const RIGHTS_FILE = rightsOf(
  'FD_DATASYNC',
  'FD_READ',
  'FD_SEEK',
  'FD_FDSTAT_SET_FLAGS',
  'FD_SYNC',
  'FD_TELL',
  'FD_WRITE',
  'FD_ADVISE',
  'FD_ALLOCATE',
  'FD_FILESTAT_GET',
  'FD_FILESTAT_SET_SIZE',
  'FD_FILESTAT_SET_TIMES',
  'POLL_FD_READWRITE',
);
/** Rights of an fd on a directory (what it may do itself; files opened under it get RIGHTS_FILE). */
export const RIGHTS_DIRECTORY = rightsOf(
  'FD_FDSTAT_SET_FLAGS',
  'FD_SYNC',
  'FD_ADVISE',
  'PATH_CREATE_DIRECTORY',
  'PATH_CREATE_FILE',
  'PATH_LINK_SOURCE',
  'PATH_LINK_TARGET',
  'PATH_OPEN',
  'FD_READDIR',
  'PATH_READLINK',
  'PATH_RENAME_SOURCE',
  'PATH_RENAME_TARGET',
  'PATH_FILESTAT_GET',
  'PATH_FILESTAT_SET_SIZE',
  'PATH_FILESTAT_SET_TIMES',
  'FD_FILESTAT_GET',
  'FD_FILESTAT_SET_TIMES',
  'PATH_SYMLINK',
  'PATH_REMOVE_DIRECTORY',
  'PATH_UNLINK_FILE',
  'POLL_FD_READWRITE',
);
/** Rights a directory passes on to what is opened under it. */
export const RIGHTS_DIRECTORY_INHERITING = RIGHTS_DIRECTORY | RIGHTS_FILE;
/** Rights of a character device, pipe or FIFO (stdio): no seek, no tell. */
export const RIGHTS_STREAM = rightsOf(
  'FD_READ',
  'FD_FDSTAT_SET_FLAGS',
  'FD_WRITE',
  'FD_FILESTAT_GET',
  'POLL_FD_READWRITE',
);
/** Rights of a connected or listening socket. */
export const RIGHTS_SOCKET = rightsOf(
  'FD_READ',
  'FD_FDSTAT_SET_FLAGS',
  'FD_WRITE',
  'FD_FILESTAT_GET',
  'POLL_FD_READWRITE',
  'SOCK_SHUTDOWN',
  'SOCK_ACCEPT',
);
export const RIGHTS_ALL = allRights;

/** File types (witx `filetype`, u8). */
export const Filetype = {
  UNKNOWN: 0,
  BLOCK_DEVICE: 1,
  CHARACTER_DEVICE: 2,
  DIRECTORY: 3,
  REGULAR_FILE: 4,
  SOCKET_DGRAM: 5,
  SOCKET_STREAM: 6,
  SYMBOLIC_LINK: 7,
} as const;

/** File descriptor flags (witx `fdflags`, u16). */
export const Fdflags = { APPEND: 1, DSYNC: 2, NONBLOCK: 4, RSYNC: 8, SYNC: 16 } as const;
/** Open flags of path_open (witx `oflags`, u16). */
export const Oflags = { CREAT: 1, DIRECTORY: 2, EXCL: 4, TRUNC: 8 } as const;
/** Lookup flags (witx `lookupflags`, u32). */
export const Lookupflags = { SYMLINK_FOLLOW: 1 } as const;
/** Which timestamps to set (witx `fstflags`, u16). */
export const Fstflags = { ATIM: 1, ATIM_NOW: 2, MTIM: 4, MTIM_NOW: 8 } as const;
/** Seek origins (witx `whence`, u8). */
export const Whence = { SET: 0, CUR: 1, END: 2 } as const;
/** Clocks (witx `clockid`, u32). */
export const Clockid = {
  REALTIME: 0,
  MONOTONIC: 1,
  PROCESS_CPUTIME_ID: 2,
  THREAD_CPUTIME_ID: 3,
} as const;
/** Subscription and event types (witx `eventtype`, u8). */
export const Eventtype = { CLOCK: 0, FD_READ: 1, FD_WRITE: 2 } as const;
/** Clock subscription flags (witx `subclockflags`, u16). */
export const Subclockflags = { SUBSCRIPTION_CLOCK_ABSTIME: 1 } as const;
/** Read/write event flags (witx `eventrwflags`, u16). */
export const Eventrwflags = { FD_READWRITE_HANGUP: 1 } as const;
/** sock_recv input flags (witx `riflags`) and output flags (`roflags`). */
export const Riflags = { RECV_PEEK: 1, RECV_WAITALL: 2 } as const;
export const Roflags = { RECV_DATA_TRUNCATED: 1 } as const;
/** sock_shutdown directions (witx `sdflags`). */
export const Sdflags = { RD: 1, WR: 2 } as const;
/** fd_advise advice (witx `advice`, u8). */
export const Advice = {
  NORMAL: 0,
  SEQUENTIAL: 1,
  RANDOM: 2,
  WILLNEED: 3,
  DONTNEED: 4,
  NOREUSE: 5,
} as const;
/** Preopen types (witx `preopentype`, u8). */
export const Preopentype = { DIR: 0 } as const;

/** Byte sizes and field offsets of the structs the ABI passes through memory. */
export const Layout = {
  iovec: { size: 8, buf: 0, len: 4 },
  fdstat: { size: 24, filetype: 0, flags: 2, rightsBase: 8, rightsInheriting: 16 },
  filestat: {
    size: 64,
    dev: 0,
    ino: 8,
    filetype: 16,
    nlink: 24,
    size_: 32,
    atim: 40,
    mtim: 48,
    ctim: 56,
  },
  prestat: { size: 8, tag: 0, nameLen: 4 },
  dirent: { size: 24, next: 0, ino: 8, namlen: 16, type: 20 },
  subscription: {
    size: 48,
    userdata: 0,
    tag: 8,
    clockId: 16,
    clockTimeout: 24,
    clockPrecision: 32,
    clockFlags: 40,
    fd: 16,
  },
  event: { size: 32, userdata: 0, error: 8, type: 10, nbytes: 16, flags: 24 },
} as const;

/** Parameter types of an import as Wasm value types. */
export type ParamType = 'i32' | 'i64';

/** The 46 functions of wasi_snapshot_preview1: name → Wasm parameter types (all return i32 errno, except proc_exit). */
export const functionSignatures: Readonly<Record<string, readonly ParamType[]>> = {
  args_get: ['i32', 'i32'],
  args_sizes_get: ['i32', 'i32'],
  environ_get: ['i32', 'i32'],
  environ_sizes_get: ['i32', 'i32'],
  clock_res_get: ['i32', 'i32'],
  clock_time_get: ['i32', 'i64', 'i32'],
  fd_advise: ['i32', 'i64', 'i64', 'i32'],
  fd_allocate: ['i32', 'i64', 'i64'],
  fd_close: ['i32'],
  fd_datasync: ['i32'],
  fd_fdstat_get: ['i32', 'i32'],
  fd_fdstat_set_flags: ['i32', 'i32'],
  fd_fdstat_set_rights: ['i32', 'i64', 'i64'],
  fd_filestat_get: ['i32', 'i32'],
  fd_filestat_set_size: ['i32', 'i64'],
  fd_filestat_set_times: ['i32', 'i64', 'i64', 'i32'],
  fd_pread: ['i32', 'i32', 'i32', 'i64', 'i32'],
  fd_prestat_get: ['i32', 'i32'],
  fd_prestat_dir_name: ['i32', 'i32', 'i32'],
  fd_pwrite: ['i32', 'i32', 'i32', 'i64', 'i32'],
  fd_read: ['i32', 'i32', 'i32', 'i32'],
  fd_readdir: ['i32', 'i32', 'i32', 'i64', 'i32'],
  fd_renumber: ['i32', 'i32'],
  fd_seek: ['i32', 'i64', 'i32', 'i32'],
  fd_sync: ['i32'],
  fd_tell: ['i32', 'i32'],
  fd_write: ['i32', 'i32', 'i32', 'i32'],
  path_create_directory: ['i32', 'i32', 'i32'],
  path_filestat_get: ['i32', 'i32', 'i32', 'i32', 'i32'],
  path_filestat_set_times: ['i32', 'i32', 'i32', 'i32', 'i64', 'i64', 'i32'],
  path_link: ['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32'],
  path_open: ['i32', 'i32', 'i32', 'i32', 'i32', 'i64', 'i64', 'i32', 'i32'],
  path_readlink: ['i32', 'i32', 'i32', 'i32', 'i32', 'i32'],
  path_remove_directory: ['i32', 'i32', 'i32'],
  path_rename: ['i32', 'i32', 'i32', 'i32', 'i32', 'i32'],
  path_symlink: ['i32', 'i32', 'i32', 'i32', 'i32'],
  path_unlink_file: ['i32', 'i32', 'i32'],
  poll_oneoff: ['i32', 'i32', 'i32', 'i32'],
  proc_exit: ['i32'],
  proc_raise: ['i32'],
  sched_yield: [],
  random_get: ['i32', 'i32'],
  sock_accept: ['i32', 'i32', 'i32'],
  sock_recv: ['i32', 'i32', 'i32', 'i32', 'i32', 'i32'],
  sock_send: ['i32', 'i32', 'i32', 'i32', 'i32'],
  sock_shutdown: ['i32', 'i32'],
};

/** Host (Node/libuv) error codes → WASI errno. */
export const hostErrno: Readonly<Record<string, number>> = Object.fromEntries(
  errnoTable.map(([name], value) => [`E${name}`, value]),
);
Object.assign(hostErrno, {
  EWOULDBLOCK: Errno.AGAIN,
  ENOTSUP: Errno.NOTSUP,
  EOPNOTSUPP: Errno.NOTSUP,
});

// Generated from the libscap event schema (savefile converter table of falcosecurity/libs); edit
// by regenerating, not by hand. Data only: names, types and formats of every event code.
import type { ConversionRow } from './event-table-convert.js';

/** [event code, parameter count as read, action, new code or 0, instructions]. */
export const CONVERSION_ROWS: readonly ConversionRow[] = [
  [0, 2, 'store', 0, []], // syscall
  [1, 1, 'addParams', 0, [['enter', 1, true]]], // syscall
  [
    2,
    0,
    'addParams',
    0,
    [
      ['empty', 0],
      ['empty', 0],
      ['empty', 0],
    ],
  ], // open
  [2, 3, 'pass', 0, []], // open
  [3, 4, 'addParams', 0, [['empty', 0]]], // open
  [3, 5, 'addParams', 0, [['empty', 0]]], // open
  [4, 1, 'store', 0, []], // close
  [5, 1, 'addParams', 0, [['enter', 0]]], // close
  [6, 2, 'store', 0, []], // read
  [
    7,
    2,
    'addParams',
    0,
    [
      ['enter', 0],
      ['enter', 1],
    ],
  ], // read
  [8, 2, 'store', 0, []], // write
  [
    9,
    2,
    'addParams',
    0,
    [
      ['enter', 0],
      ['enter', 1],
    ],
  ], // write
  [10, 1, 'store', 0, []], // brk
  [
    11,
    1,
    'changeType',
    159,
    [
      ['old', 0],
      ['enter', 0, true],
      ['empty', 0],
      ['empty', 0],
      ['empty', 0],
    ],
  ], // brk
  [12, 0, 'changeType', 154, []], // execve
  [
    13,
    8,
    'changeType',
    155,
    [
      ['old', 0],
      ['old', 1],
      ['old', 2],
      ['old', 3],
      ['old', 4],
      ['old', 5],
      ['old', 6],
      ['old', 7],
      ['empty', 0],
      ['empty', 0],
      ['empty', 0],
      ['empty', 0],
      ['empty', 0],
    ],
  ], // execve
  [
    15,
    11,
    'changeType',
    157,
    [
      ['old', 0],
      ['old', 1],
      ['old', 2],
      ['old', 3],
      ['old', 4],
      ['old', 5],
      ['old', 6],
      ['old', 7],
      ['empty', 0],
      ['empty', 0],
      ['empty', 0],
      ['empty', 0],
      ['empty', 0],
      ['old', 8],
      ['old', 9],
      ['old', 10],
    ],
  ], // clone
  [
    16,
    0,
    'changeType',
    186,
    [
      ['empty', 0],
      ['empty', 0],
      ['empty', 0],
      ['empty', 0],
      ['empty', 0],
    ],
  ], // procexit
  [18, 3, 'store', 0, []], // socket
  [
    19,
    1,
    'addParams',
    0,
    [
      ['enter', 0],
      ['enter', 1],
      ['enter', 2],
    ],
  ], // socket
  [19, 4, 'addParams', 0, [['default', 0]]], // socket
  [20, 1, 'store', 0, []], // bind
  [21, 2, 'addParams', 0, [['enter', 0]]], // bind
  [22, 1, 'addParams', 0, [['default', 0]]], // connect
  [22, 2, 'storeAndPass', 0, []], // connect
  [23, 2, 'addParams', 0, [['enter', 0]]], // connect
  [23, 3, 'addParams', 0, [['enter', 1]]], // connect
  [24, 2, 'store', 0, []], // listen
  [
    25,
    1,
    'addParams',
    0,
    [
      ['enter', 0],
      ['enter', 1],
    ],
  ], // listen
  [
    27,
    3,
    'changeType',
    247,
    [
      ['old', 0],
      ['old', 1],
      ['old', 2],
      ['default', 0],
      ['default', 0],
    ],
  ], // accept
  [28, 2, 'store', 0, []], // send
  [
    29,
    2,
    'addParams',
    0,
    [
      ['enter', 0],
      ['enter', 1],
      ['default', 0],
    ],
  ], // send
  [30, 3, 'store', 0, []], // sendto
  [
    31,
    2,
    'addParams',
    0,
    [
      ['enter', 0],
      ['enter', 1],
      ['enter', 2],
    ],
  ], // sendto
  [32, 2, 'store', 0, []], // recv
  [
    33,
    2,
    'addParams',
    0,
    [
      ['enter', 0],
      ['enter', 1],
      ['default', 0],
    ],
  ], // recv
  [34, 2, 'store', 0, []], // recvfrom
  [
    35,
    3,
    'addParams',
    0,
    [
      ['enter', 0],
      ['enter', 1],
    ],
  ], // recvfrom
  [36, 2, 'store', 0, []], // shutdown
  [
    37,
    1,
    'addParams',
    0,
    [
      ['enter', 0],
      ['enter', 1],
    ],
  ], // shutdown
  [42, 3, 'store', 0, []], // socketpair
  [
    43,
    5,
    'addParams',
    0,
    [
      ['enter', 0],
      ['enter', 1],
      ['enter', 2],
    ],
  ], // socketpair
  [48, 3, 'store', 0, []], // sendmsg
  [
    49,
    2,
    'addParams',
    0,
    [
      ['enter', 0],
      ['enter', 1],
      ['enter', 2],
    ],
  ], // sendmsg
  [
    51,
    0,
    'addParams',
    0,
    [
      ['default', 0],
      ['empty', 0],
      ['empty', 0],
      ['empty', 0],
      ['empty', 0],
    ],
  ], // sendmmsg
  [52, 1, 'store', 0, []], // recvmsg
  [53, 4, 'addParams', 0, [['default', 0]]], // recvmsg
  [53, 5, 'addParams', 0, [['enter', 0]]], // recvmsg
  [
    55,
    0,
    'addParams',
    0,
    [
      ['default', 0],
      ['empty', 0],
      ['empty', 0],
      ['empty', 0],
      ['empty', 0],
      ['empty', 0],
    ],
  ], // recvmmsg
  [56, 1, 'store', 0, []], // accept
  [
    57,
    3,
    'changeType',
    389,
    [
      ['old', 0],
      ['old', 1],
      ['old', 2],
      ['default', 0],
      ['default', 0],
      ['enter', 0],
    ],
  ], // accept
  [
    58,
    0,
    'addParams',
    0,
    [
      ['empty', 0],
      ['empty', 0],
    ],
  ], // creat
  [58, 2, 'pass', 0, []], // creat
  [59, 3, 'addParams', 0, [['empty', 0]]], // creat
  [59, 4, 'addParams', 0, [['empty', 0]]], // creat
  [59, 5, 'addParams', 0, [['empty', 0]]], // creat
  [62, 2, 'store', 0, []], // eventfd
  [
    63,
    1,
    'addParams',
    0,
    [
      ['enter', 0],
      ['enter', 1],
    ],
  ], // eventfd
  [64, 3, 'store', 0, []], // futex
  [
    65,
    1,
    'addParams',
    0,
    [
      ['enter', 0],
      ['enter', 1],
      ['enter', 2],
    ],
  ], // futex
  [70, 1, 'store', 0, []], // fstat
  [71, 1, 'addParams', 0, [['enter', 0]]], // fstat
  [78, 1, 'store', 0, []], // epoll_wait
  [79, 1, 'addParams', 0, [['enter', 0]]], // epoll_wait
  [80, 2, 'store', 0, []], // poll
  [81, 2, 'addParams', 0, [['enter', 1]]], // poll
  [85, 1, 'changeType', 83, [['old', 0]]], // select
  [86, 3, 'store', 0, []], // lseek
  [
    87,
    1,
    'addParams',
    0,
    [
      ['enter', 0],
      ['enter', 1],
      ['enter', 2],
    ],
  ], // lseek
  [88, 3, 'store', 0, []], // llseek
  [
    89,
    1,
    'addParams',
    0,
    [
      ['enter', 0],
      ['enter', 1],
      ['enter', 2],
    ],
  ], // llseek
  [90, 2, 'store', 0, []], // ioctl
  [
    91,
    1,
    'changeType',
    171,
    [
      ['old', 0],
      ['enter', 0, true],
      ['enter', 1, true],
      ['empty', 0],
    ],
  ], // ioctl
  [96, 1, 'store', 0, []], // fchdir
  [97, 1, 'addParams', 0, [['enter', 0, true]]], // fchdir
  [98, 2, 'store', 0, []], // mkdir
  [
    99,
    1,
    'changeType',
    277,
    [
      ['old', 0],
      ['enter', 0, true],
      ['enter', 1, true],
    ],
  ], // mkdir
  [100, 1, 'store', 0, []], // rmdir
  [
    101,
    1,
    'changeType',
    279,
    [
      ['old', 0],
      ['enter', 0, true],
    ],
  ], // rmdir
  [102, 4, 'store', 0, []], // openat
  [
    103,
    1,
    'changeType',
    307,
    [
      ['old', 0],
      ['enter', 0, true],
      ['enter', 1, true],
      ['enter', 2, true],
      ['enter', 3, true],
      ['empty', 0],
      ['empty', 0],
    ],
  ], // openat
  [104, 2, 'store', 0, []], // link
  [
    105,
    1,
    'changeType',
    309,
    [
      ['old', 0],
      ['enter', 0, true],
      ['enter', 1, true],
    ],
  ], // link
  [106, 4, 'store', 0, []], // linkat
  [
    107,
    1,
    'changeType',
    311,
    [
      ['old', 0],
      ['enter', 0, true],
      ['enter', 1, true],
      ['enter', 2, true],
      ['enter', 3, true],
      ['empty', 0],
    ],
  ], // linkat
  [108, 1, 'store', 0, []], // unlink
  [
    109,
    1,
    'changeType',
    301,
    [
      ['old', 0],
      ['enter', 0, true],
    ],
  ], // unlink
  [110, 2, 'store', 0, []], // unlinkat
  [
    111,
    1,
    'changeType',
    303,
    [
      ['old', 0],
      ['enter', 0, true],
      ['enter', 1, true],
      ['empty', 0],
    ],
  ], // unlinkat
  [112, 3, 'store', 0, []], // pread
  [
    113,
    2,
    'addParams',
    0,
    [
      ['enter', 0],
      ['enter', 1],
      ['enter', 2],
    ],
  ], // pread
  [114, 3, 'store', 0, []], // pwrite
  [
    115,
    2,
    'addParams',
    0,
    [
      ['enter', 0],
      ['enter', 1],
      ['enter', 2],
    ],
  ], // pwrite
  [116, 1, 'store', 0, []], // readv
  [117, 3, 'addParams', 0, [['enter', 0]]], // readv
  [118, 2, 'store', 0, []], // writev
  [
    119,
    2,
    'addParams',
    0,
    [
      ['enter', 0],
      ['enter', 1],
    ],
  ], // writev
  [120, 2, 'store', 0, []], // preadv
  [
    121,
    3,
    'addParams',
    0,
    [
      ['enter', 0],
      ['enter', 1],
    ],
  ], // preadv
  [122, 3, 'store', 0, []], // pwritev
  [
    123,
    2,
    'addParams',
    0,
    [
      ['enter', 0],
      ['enter', 1],
      ['enter', 2],
    ],
  ], // pwritev
  [124, 1, 'store', 0, []], // dup
  [
    125,
    1,
    'changeType',
    367,
    [
      ['old', 0],
      ['enter', 0, true],
    ],
  ], // dup
  [126, 3, 'store', 0, []], // signalfd
  [
    127,
    1,
    'addParams',
    0,
    [
      ['enter', 0],
      ['enter', 1],
      ['enter', 2],
    ],
  ], // signalfd
  [128, 2, 'store', 0, []], // kill
  [
    129,
    1,
    'addParams',
    0,
    [
      ['enter', 0],
      ['enter', 1],
    ],
  ], // kill
  [130, 2, 'store', 0, []], // tkill
  [
    131,
    1,
    'addParams',
    0,
    [
      ['enter', 0],
      ['enter', 1],
    ],
  ], // tkill
  [132, 3, 'store', 0, []], // tgkill
  [
    133,
    1,
    'addParams',
    0,
    [
      ['enter', 0],
      ['enter', 1],
      ['enter', 2],
    ],
  ], // tgkill
  [134, 1, 'store', 0, []], // nanosleep
  [135, 1, 'addParams', 0, [['enter', 0]]], // nanosleep
  [136, 2, 'store', 0, []], // timerfd_create
  [
    137,
    1,
    'addParams',
    0,
    [
      ['enter', 0],
      ['enter', 1],
    ],
  ], // timerfd_create
  [138, 1, 'store', 0, []], // inotify_init
  [139, 1, 'addParams', 0, [['enter', 0]]], // inotify_init
  [140, 1, 'store', 0, []], // getrlimit
  [141, 3, 'addParams', 0, [['enter', 0]]], // getrlimit
  [142, 1, 'store', 0, []], // setrlimit
  [143, 3, 'addParams', 0, [['enter', 0]]], // setrlimit
  [144, 2, 'store', 0, []], // prlimit
  [
    145,
    5,
    'addParams',
    0,
    [
      ['enter', 0, true],
      ['enter', 1, true],
    ],
  ], // prlimit
  [
    146,
    1,
    'changeType',
    152,
    [
      ['old', 0],
      ['empty', 0],
      ['empty', 0],
      ['empty', 0],
      ['empty', 0],
      ['empty', 0],
    ],
  ], // switch
  [150, 2, 'store', 0, []], // fcntl
  [
    151,
    1,
    'addParams',
    0,
    [
      ['enter', 0],
      ['enter', 1],
    ],
  ], // fcntl
  [151, 3, 'addParams', 0, [['default', 0]]], // fcntl
  [154, 0, 'changeType', 172, []], // execve
  [
    155,
    13,
    'changeType',
    173,
    [
      ['old', 0],
      ['old', 1],
      ['old', 2],
      ['old', 3],
      ['old', 4],
      ['old', 5],
      ['old', 6],
      ['old', 7],
      ['old', 8],
      ['old', 9],
      ['old', 10],
      ['old', 11],
      ['old', 12],
      ['empty', 0],
    ],
  ], // execve
  [
    157,
    16,
    'changeType',
    217,
    [
      ['old', 0],
      ['old', 1],
      ['old', 2],
      ['old', 3],
      ['old', 4],
      ['old', 5],
      ['old', 6],
      ['old', 7],
      ['old', 8],
      ['old', 9],
      ['old', 10],
      ['old', 11],
      ['old', 12],
      ['empty', 0],
      ['old', 13],
      ['old', 14],
      ['old', 15],
    ],
  ], // clone
  [158, 1, 'store', 0, []], // brk
  [159, 4, 'addParams', 0, [['enter', 0, true]]], // brk
  [160, 6, 'store', 0, []], // mmap
  [
    161,
    4,
    'addParams',
    0,
    [
      ['enter', 0],
      ['enter', 1],
      ['enter', 2],
      ['enter', 3],
      ['enter', 4],
      ['enter', 5],
    ],
  ], // mmap
  [162, 6, 'store', 0, []], // mmap2
  [
    163,
    4,
    'addParams',
    0,
    [
      ['enter', 0],
      ['enter', 1],
      ['enter', 2],
      ['enter', 3],
      ['enter', 4],
      ['enter', 5],
    ],
  ], // mmap2
  [164, 2, 'store', 0, []], // munmap
  [
    165,
    4,
    'addParams',
    0,
    [
      ['enter', 0],
      ['enter', 1],
    ],
  ], // munmap
  [166, 4, 'store', 0, []], // splice
  [
    167,
    1,
    'addParams',
    0,
    [
      ['enter', 0],
      ['enter', 1],
      ['enter', 2],
      ['enter', 3],
    ],
  ], // splice
  [168, 2, 'store', 0, []], // ptrace
  [
    169,
    0,
    'addParams',
    0,
    [
      ['empty', 0],
      ['empty', 0],
      ['empty', 0],
    ],
  ], // ptrace
  [
    169,
    3,
    'addParams',
    0,
    [
      ['enter', 0, true],
      ['enter', 1, true],
    ],
  ], // ptrace
  [170, 3, 'store', 0, []], // ioctl
  [
    171,
    1,
    'addParams',
    0,
    [
      ['enter', 0],
      ['enter', 1],
      ['enter', 2],
    ],
  ], // ioctl
  [172, 0, 'changeType', 214, []], // execve
  [
    173,
    14,
    'changeType',
    215,
    [
      ['old', 0],
      ['old', 1],
      ['old', 2],
      ['old', 3],
      ['old', 4],
      ['old', 5],
      ['old', 6],
      ['old', 7],
      ['old', 8],
      ['old', 9],
      ['old', 10],
      ['old', 11],
      ['old', 12],
      ['empty', 0],
      ['old', 13],
    ],
  ], // execve
  [
    183,
    16,
    'changeType',
    219,
    [
      ['old', 0],
      ['old', 1],
      ['old', 2],
      ['old', 3],
      ['old', 4],
      ['old', 5],
      ['old', 6],
      ['old', 7],
      ['old', 8],
      ['old', 9],
      ['old', 10],
      ['old', 11],
      ['old', 12],
      ['empty', 0],
      ['old', 13],
      ['old', 14],
      ['old', 15],
    ],
  ], // fork
  [
    185,
    16,
    'changeType',
    221,
    [
      ['old', 0],
      ['old', 1],
      ['old', 2],
      ['old', 3],
      ['old', 4],
      ['old', 5],
      ['old', 6],
      ['old', 7],
      ['old', 8],
      ['old', 9],
      ['old', 10],
      ['old', 11],
      ['old', 12],
      ['empty', 0],
      ['old', 13],
      ['old', 14],
      ['old', 15],
    ],
  ], // vfork
  [188, 4, 'store', 0, []], // sendfile
  [
    189,
    2,
    'addParams',
    0,
    [
      ['enter', 0],
      ['enter', 1],
      ['enter', 3],
    ],
  ], // sendfile
  [190, 4, 'store', 0, []], // quotactl
  [
    191,
    14,
    'addParams',
    0,
    [
      ['enter', 0],
      ['enter', 1],
      ['enter', 2],
      ['enter', 3],
    ],
  ], // quotactl
  [192, 3, 'store', 0, []], // setresuid
  [
    193,
    1,
    'addParams',
    0,
    [
      ['enter', 0, true],
      ['enter', 1, true],
      ['enter', 2, true],
    ],
  ], // setresuid
  [194, 3, 'store', 0, []], // setresgid
  [
    195,
    1,
    'addParams',
    0,
    [
      ['enter', 0, true],
      ['enter', 1, true],
      ['enter', 2, true],
    ],
  ], // setresgid
  [198, 1, 'store', 0, []], // setuid
  [199, 1, 'addParams', 0, [['enter', 0, true]]], // setuid
  [200, 1, 'store', 0, []], // setgid
  [201, 1, 'addParams', 0, [['enter', 0, true]]], // setgid
  [214, 0, 'changeType', 230, []], // execve
  [
    215,
    15,
    'changeType',
    231,
    [
      ['old', 0],
      ['old', 1],
      ['old', 2],
      ['old', 3],
      ['old', 4],
      ['old', 5],
      ['old', 6],
      ['old', 7],
      ['old', 8],
      ['old', 9],
      ['old', 10],
      ['old', 11],
      ['old', 12],
      ['old', 13],
      ['empty', 0],
      ['old', 14],
    ],
  ], // execve
  [
    217,
    17,
    'changeType',
    223,
    [
      ['old', 0],
      ['old', 1],
      ['old', 2],
      ['old', 3],
      ['old', 4],
      ['old', 5],
      ['old', 6],
      ['old', 7],
      ['old', 8],
      ['old', 9],
      ['old', 10],
      ['old', 11],
      ['old', 12],
      ['old', 13],
      ['empty', 0],
      ['old', 14],
      ['old', 15],
      ['old', 16],
      ['empty', 0],
      ['empty', 0],
    ],
  ], // clone
  [
    219,
    17,
    'changeType',
    225,
    [
      ['old', 0],
      ['old', 1],
      ['old', 2],
      ['old', 3],
      ['old', 4],
      ['old', 5],
      ['old', 6],
      ['old', 7],
      ['old', 8],
      ['old', 9],
      ['old', 10],
      ['old', 11],
      ['old', 12],
      ['old', 13],
      ['empty', 0],
      ['old', 14],
      ['old', 15],
      ['old', 16],
      ['empty', 0],
      ['empty', 0],
    ],
  ], // fork
  [
    221,
    17,
    'changeType',
    227,
    [
      ['old', 0],
      ['old', 1],
      ['old', 2],
      ['old', 3],
      ['old', 4],
      ['old', 5],
      ['old', 6],
      ['old', 7],
      ['old', 8],
      ['old', 9],
      ['old', 10],
      ['old', 11],
      ['old', 12],
      ['old', 13],
      ['empty', 0],
      ['old', 14],
      ['old', 15],
      ['old', 16],
      ['empty', 0],
      ['empty', 0],
    ],
  ], // vfork
  [223, 20, 'addParams', 0, [['empty', 0]]], // clone
  [225, 20, 'addParams', 0, [['empty', 0]]], // fork
  [227, 20, 'addParams', 0, [['empty', 0]]], // vfork
  [228, 4, 'changeType', 272, [['callback', 0, true]]], // container
  [230, 0, 'changeType', 282, []], // execve
  [
    231,
    16,
    'changeType',
    283,
    [
      ['old', 0],
      ['old', 1],
      ['old', 2],
      ['old', 3],
      ['old', 4],
      ['old', 5],
      ['old', 6],
      ['old', 7],
      ['old', 8],
      ['old', 9],
      ['old', 10],
      ['old', 11],
      ['old', 12],
      ['old', 13],
      ['old', 14],
      ['old', 15],
      ['empty', 0],
    ],
  ], // execve
  [236, 1, 'store', 0, []], // getdents
  [237, 1, 'addParams', 0, [['enter', 0]]], // getdents
  [238, 1, 'store', 0, []], // getdents64
  [239, 1, 'addParams', 0, [['enter', 0]]], // getdents64
  [240, 2, 'store', 0, []], // setns
  [
    241,
    1,
    'addParams',
    0,
    [
      ['enter', 0, true],
      ['enter', 1, true],
    ],
  ], // setns
  [242, 2, 'store', 0, []], // flock
  [
    243,
    1,
    'addParams',
    0,
    [
      ['enter', 0],
      ['enter', 1],
    ],
  ], // flock
  [248, 1, 'store', 0, []], // accept
  [
    249,
    5,
    'changeType',
    389,
    [
      ['old', 0],
      ['old', 1],
      ['old', 2],
      ['old', 3],
      ['old', 4],
      ['enter', 0],
    ],
  ], // accept
  [250, 1, 'store', 0, []], // semop
  [251, 8, 'addParams', 0, [['enter', 0]]], // semop
  [252, 4, 'store', 0, []], // semctl
  [
    253,
    1,
    'addParams',
    0,
    [
      ['enter', 0],
      ['enter', 1],
      ['enter', 2],
      ['enter', 3],
    ],
  ], // semctl
  [254, 3, 'store', 0, []], // ppoll
  [
    255,
    2,
    'addParams',
    0,
    [
      ['enter', 1],
      ['enter', 2],
    ],
  ], // ppoll
  [256, 1, 'store', 0, []], // mount
  [257, 4, 'addParams', 0, [['enter', 0]]], // mount
  [
    259,
    2,
    'changeType',
    387,
    [
      ['old', 0],
      ['old', 1],
    ],
  ], // umount
  [262, 3, 'store', 0, []], // semget
  [
    263,
    1,
    'addParams',
    0,
    [
      ['enter', 0],
      ['enter', 1],
      ['enter', 2],
    ],
  ], // semget
  [264, 1, 'store', 0, []], // access
  [265, 2, 'addParams', 0, [['enter', 0]]], // access
  [272, 1, 'changeType', 324, [['old', 0]]], // container
  [276, 1, 'store', 0, []], // mkdir
  [277, 2, 'addParams', 0, [['enter', 0, true]]], // mkdir
  [282, 0, 'changeType', 288, [['empty', 0]]], // execve
  [
    283,
    17,
    'changeType',
    289,
    [
      ['old', 0],
      ['old', 1],
      ['old', 2],
      ['old', 3],
      ['old', 4],
      ['old', 5],
      ['old', 6],
      ['old', 7],
      ['old', 8],
      ['old', 9],
      ['old', 10],
      ['old', 11],
      ['old', 12],
      ['old', 13],
      ['old', 14],
      ['old', 15],
      ['old', 16],
    ],
  ], // execve
  [284, 1, 'store', 0, []], // unshare
  [285, 1, 'addParams', 0, [['enter', 0]]], // unshare
  [288, 1, 'changeType', 292, [['old', 0]]], // execve
  [
    289,
    17,
    'changeType',
    293,
    [
      ['old', 0],
      ['old', 1],
      ['old', 2],
      ['old', 3],
      ['old', 4],
      ['old', 5],
      ['old', 6],
      ['old', 7],
      ['old', 8],
      ['old', 9],
      ['old', 10],
      ['old', 11],
      ['old', 12],
      ['old', 13],
      ['old', 14],
      ['old', 15],
      ['old', 16],
      ['empty', 0],
    ],
  ], // execve
  [292, 1, 'storeAndPass', 0, []], // execve
  [293, 18, 'addParams', 0, [['empty', 0]]], // execve
  [293, 19, 'addParams', 0, [['empty', 0]]], // execve
  [
    293,
    20,
    'addParams',
    0,
    [
      ['empty', 0],
      ['empty', 0],
      ['empty', 0],
    ],
  ], // execve
  [
    293,
    23,
    'addParams',
    0,
    [
      ['empty', 0],
      ['empty', 0],
      ['empty', 0],
    ],
  ], // execve
  [293, 26, 'addParams', 0, [['empty', 0]]], // execve
  [293, 27, 'addParams', 0, [['empty', 0]]], // execve
  [293, 28, 'addParams', 0, [['empty', 0]]], // execve
  [293, 29, 'addParams', 0, [['empty', 0]]], // execve
  [293, 30, 'addParams', 0, [['enter', 0, true]]], // execve
  [294, 2, 'store', 0, []], // setpgid
  [
    295,
    1,
    'addParams',
    0,
    [
      ['enter', 0, true],
      ['enter', 1, true],
    ],
  ], // setpgid
  [296, 1, 'store', 0, []], // bpf
  [
    297,
    1,
    'changeType',
    369,
    [
      ['old', 0],
      ['enter', 0, true],
    ],
  ], // bpf
  [298, 1, 'addParams', 0, [['default', 0]]], // seccomp
  [298, 2, 'store', 0, []], // seccomp
  [
    299,
    1,
    'addParams',
    0,
    [
      ['enter', 0],
      ['enter', 1],
    ],
  ], // seccomp
  [
    306,
    0,
    'addParams',
    0,
    [
      ['empty', 0],
      ['empty', 0],
      ['empty', 0],
      ['empty', 0],
    ],
  ], // openat
  [306, 4, 'pass', 0, []], // openat
  [307, 5, 'addParams', 0, [['empty', 0]]], // openat
  [307, 6, 'addParams', 0, [['empty', 0]]], // openat
  [
    326,
    0,
    'addParams',
    0,
    [
      ['empty', 0],
      ['empty', 0],
      ['empty', 0],
      ['empty', 0],
      ['empty', 0],
    ],
  ], // openat2
  [326, 5, 'pass', 0, []], // openat2
  [
    327,
    6,
    'addParams',
    0,
    [
      ['empty', 0],
      ['empty', 0],
    ],
  ], // openat2
  [328, 3, 'store', 0, []], // mprotect
  [
    329,
    1,
    'addParams',
    0,
    [
      ['enter', 0],
      ['enter', 1],
      ['enter', 2],
    ],
  ], // mprotect
  [330, 3, 'pass', 0, []], // execveat
  [331, 19, 'addParams', 0, [['empty', 0]]], // execveat
  [
    331,
    20,
    'addParams',
    0,
    [
      ['empty', 0],
      ['empty', 0],
      ['empty', 0],
    ],
  ], // execveat
  [
    331,
    23,
    'addParams',
    0,
    [
      ['empty', 0],
      ['empty', 0],
      ['empty', 0],
    ],
  ], // execveat
  [331, 26, 'addParams', 0, [['empty', 0]]], // execveat
  [331, 27, 'addParams', 0, [['empty', 0]]], // execveat
  [331, 28, 'addParams', 0, [['empty', 0]]], // execveat
  [331, 29, 'addParams', 0, [['empty', 0]]], // execveat
  [332, 3, 'store', 0, []], // copy_file_range
  [
    333,
    3,
    'addParams',
    0,
    [
      ['enter', 0],
      ['enter', 1],
      ['enter', 2],
    ],
  ], // copy_file_range
  [335, 20, 'addParams', 0, [['empty', 0]]], // clone3
  [374, 1, 'store', 0, []], // epoll_create
  [375, 1, 'addParams', 0, [['enter', 0]]], // epoll_create
  [376, 1, 'store', 0, []], // epoll_create1
  [377, 1, 'addParams', 0, [['enter', 0]]], // epoll_create1
  [388, 1, 'store', 0, []], // accept4
  [389, 5, 'addParams', 0, [['enter', 0]]], // accept4
  [390, 1, 'store', 0, []], // umount2
  [391, 2, 'addParams', 0, [['enter', 0]]], // umount2
  [396, 1, 'store', 0, []], // eventfd2
  [397, 2, 'addParams', 0, [['enter', 0]]], // eventfd2
  [398, 2, 'store', 0, []], // signalfd4
  [
    399,
    2,
    'addParams',
    0,
    [
      ['enter', 0],
      ['enter', 1],
    ],
  ], // signalfd4
];

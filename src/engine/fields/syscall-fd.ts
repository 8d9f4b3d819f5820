/**
 * File descriptor and path fields (`fd.*`, `fdlist.*`, `fs.path.*`) and `util.cnt`.
 * Generated from libsinsp's field list: names, types and flags follow libs exactly
 * (checked row by row in syscall.test.ts); the descriptions are Harrier's own.
 */
import type { FieldRow } from './rows.js';

/** One row per field, in libsinsp's order. */
export const DESCRIPTOR_FIELD_ROWS: readonly FieldRow[] = [
  ['fd.num', 'INT64', 'Number of the file descriptor.'],
  [
    'fd.type',
    'CHARBUF',
    'Kind of file descriptor: file, directory, ipv4, ipv6, unix, pipe, event and so on.',
  ],
  [
    'fd.typechar',
    'CHARBUF',
    'Kind of file descriptor as one letter, such as f for file or 4 for IPv4.',
  ],
  [
    'fd.name',
    'CHARBUF',
    'Full name of the descriptor: a path for files, a connection tuple for sockets.',
  ],
  ['fd.directory', 'CHARBUF', 'For files, the directory that holds the file.'],
  ['fd.filename', 'CHARBUF', 'For files, the file name without its directory.'],
  [
    'fd.ip',
    'IPADDR',
    'Matches either end (client or server) IP address of the socket.',
    { filterOnly: true, noRightHandSide: true, noTransformer: true },
  ],
  ['fd.cip', 'IPADDR', 'Client IP address of the socket.'],
  ['fd.sip', 'IPADDR', 'Server IP address of the socket.'],
  ['fd.lip', 'IPADDR', 'Local IP address of the socket.'],
  ['fd.rip', 'IPADDR', 'Remote IP address of the socket.'],
  [
    'fd.port',
    'PORT',
    'Matches either end (client or server) port of the socket.',
    { filterOnly: true, noRightHandSide: true, noTransformer: true },
  ],
  ['fd.cport', 'PORT', 'Client port of a TCP or UDP socket.'],
  ['fd.sport', 'PORT', 'Server port of a TCP or UDP socket.'],
  ['fd.lport', 'PORT', 'Local port of a TCP or UDP socket.'],
  ['fd.rport', 'PORT', 'Remote port of a TCP or UDP socket.'],
  ['fd.l4proto', 'CHARBUF', 'Transport protocol of the socket: tcp, udp, icmp or raw.'],
  ['fd.sockfamily', 'CHARBUF', 'Address family of the socket: ip or unix.'],
  ['fd.is_server', 'BOOL', 'True when this process is the server end of the connection.'],
  ['fd.uid', 'CHARBUF', 'Identifier made of the descriptor number and the thread id.'],
  ['fd.containername', 'CHARBUF', 'Container id joined with the descriptor name.'],
  ['fd.containerdirectory', 'CHARBUF', 'Container id joined with the directory name.'],
  [
    'fd.proto',
    'PORT',
    'Matches the protocol name of either end of the socket.',
    { filterOnly: true, noRightHandSide: true, noTransformer: true },
  ],
  ['fd.cproto', 'CHARBUF', 'Protocol name of the client port of a TCP or UDP socket.'],
  ['fd.sproto', 'CHARBUF', 'Protocol name of the server port of a TCP or UDP socket.'],
  ['fd.lproto', 'CHARBUF', 'Protocol name of the local port of a TCP or UDP socket.'],
  ['fd.rproto', 'CHARBUF', 'Protocol name of the remote port of a TCP or UDP socket.'],
  [
    'fd.net',
    'IPNET',
    'Matches when either end of the socket lies in the given network.',
    { filterOnly: true, noRightHandSide: true, noTransformer: true },
  ],
  [
    'fd.cnet',
    'IPNET',
    'Matches when the client address lies in the given network.',
    { filterOnly: true, noRightHandSide: true, noTransformer: true },
  ],
  [
    'fd.snet',
    'IPNET',
    'Matches when the server address lies in the given network.',
    { filterOnly: true, noRightHandSide: true, noTransformer: true },
  ],
  [
    'fd.lnet',
    'IPNET',
    'Matches when the local address lies in the given network.',
    { filterOnly: true, noRightHandSide: true, noTransformer: true },
  ],
  [
    'fd.rnet',
    'IPNET',
    'Matches when the remote address lies in the given network.',
    { filterOnly: true, noRightHandSide: true, noTransformer: true },
  ],
  ['fd.connected', 'BOOL', 'True when the TCP or UDP socket is connected.'],
  [
    'fd.name_changed',
    'BOOL',
    'True when this event changed the name of a descriptor it uses, as connect does.',
  ],
  [
    'fd.cip.name',
    'CHARBUF',
    'Domain name that resolves to the client IP address.',
    { noRightHandSide: true, noTransformer: true },
  ],
  [
    'fd.sip.name',
    'CHARBUF',
    'Domain name that resolves to the server IP address.',
    { noRightHandSide: true, noTransformer: true },
  ],
  [
    'fd.lip.name',
    'CHARBUF',
    'Domain name that resolves to the local IP address.',
    { noRightHandSide: true, noTransformer: true },
  ],
  [
    'fd.rip.name',
    'CHARBUF',
    'Domain name that resolves to the remote IP address.',
    { noRightHandSide: true, noTransformer: true },
  ],
  ['fd.dev', 'INT32', 'Device number (major and minor) of the file.'],
  ['fd.dev.major', 'INT32', 'Major device number of the file.'],
  ['fd.dev.minor', 'INT32', 'Minor device number of the file.'],
  ['fd.ino', 'INT64', 'Inode number of the file.'],
  [
    'fd.nameraw',
    'CHARBUF',
    'Path of a file descriptor exactly as the call gave it, without normalising.',
  ],
  [
    'fd.types',
    'CHARBUF',
    'Kinds of all descriptors the process holds, or of the descriptor numbered in the argument.',
    { argument: 'allowed', isList: true, noRightHandSide: true },
  ],
  [
    'fd.is_upper_layer',
    'BOOL',
    'True when the file lives in the upper layer of an overlay filesystem.',
  ],
  [
    'fd.is_lower_layer',
    'BOOL',
    'True when the file lives in a lower layer of an overlay filesystem.',
  ],
  [
    'fdlist.nums',
    'CHARBUF',
    'For poll events, the descriptor numbers in the fds argument, comma-separated.',
  ],
  [
    'fdlist.names',
    'CHARBUF',
    'For poll events, the descriptor names in the fds argument, comma-separated.',
  ],
  [
    'fdlist.cips',
    'CHARBUF',
    'For poll events, the client IP addresses in the fds argument, comma-separated.',
  ],
  [
    'fdlist.sips',
    'CHARBUF',
    'For poll events, the server IP addresses in the fds argument, comma-separated.',
  ],
  [
    'fdlist.cports',
    'CHARBUF',
    'For poll events, the client ports in the fds argument, comma-separated.',
  ],
  [
    'fdlist.sports',
    'CHARBUF',
    'For poll events, the server ports in the fds argument, comma-separated.',
  ],
  ['fs.path.name', 'CHARBUF', 'Path a filesystem call acts on, made absolute.'],
  ['fs.path.nameraw', 'CHARBUF', 'Path a filesystem call acts on, exactly as given.'],
  [
    'fs.path.source',
    'CHARBUF',
    'Source path of a two-path call such as rename or link, made absolute.',
  ],
  [
    'fs.path.sourceraw',
    'CHARBUF',
    'Source path of a two-path call such as rename or link, exactly as given.',
  ],
  [
    'fs.path.target',
    'CHARBUF',
    'Target path of a two-path call such as rename or link, made absolute.',
  ],
  [
    'fs.path.targetraw',
    'CHARBUF',
    'Target path of a two-path call such as rename or link, exactly as given.',
  ],
  ['util.cnt', 'UINT64', 'Counter that grows by one with each event.'],
];

# School network: pupils' use of a platform for a curriculum activity, and unblocking sites (I1).

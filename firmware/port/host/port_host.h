#ifndef QS_PORT_HOST_H
#define QS_PORT_HOST_H
/* Selects the file descriptors the serial link uses (default: stdin/stdout). */
void qs_port_host_set_fds(int in_fd, int out_fd);
#endif

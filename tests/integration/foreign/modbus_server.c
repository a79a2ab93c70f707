/* A Modbus TCP server nobody here wrote the protocol of: libmodbus's own
 * server side, holding COUNT registers whose values are address x 7.
 * Prints its port on stdout once listening, then answers one client at a
 * time until killed.
 *
 *   modbus_server COUNT
 */
#include <arpa/inet.h>
#include <modbus.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv) {
    int count = argc > 1 ? atoi(argv[1]) : 110;
    modbus_t *ctx = modbus_new_tcp("127.0.0.1", 0);
    modbus_mapping_t *map = modbus_mapping_new_start_address(0, 0, 0, 0, 0, count, 0, 0);
    if (ctx == NULL || map == NULL) {
        fprintf(stderr, "cannot allocate\n");
        return 1;
    }
    for (int i = 0; i < count; i++) {
        map->tab_registers[i] = (uint16_t)(i * 7);
    }
    int listener = modbus_tcp_listen(ctx, 1);
    if (listener < 0) {
        perror("listen");
        return 1;
    }
    struct sockaddr_in bound;
    socklen_t len = sizeof bound;
    getsockname(listener, (struct sockaddr *)&bound, &len);
    printf("%d\n", ntohs(bound.sin_port));
    fflush(stdout);
    for (;;) {
        int client = modbus_tcp_accept(ctx, &listener);
        if (client < 0) {
            continue;
        }
        uint8_t query[MODBUS_TCP_MAX_ADU_LENGTH];
        for (;;) {
            int n = modbus_receive(ctx, query);
            if (n > 0) {
                modbus_reply(ctx, query, n, map);
            } else if (n == -1) {
                break;
            }
        }
        close(client);
    }
}

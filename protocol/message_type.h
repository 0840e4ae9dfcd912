// Wire constants of the PostgreSQL v3 protocol, named as in PostgreSQL's own protocol.h.
#pragma once

#include <cstdint>

namespace pgroute::protocol {

// Frontend (client → server) message types.
inline constexpr char PqMsg_Bind = 'B';
inline constexpr char PqMsg_Close = 'C';
inline constexpr char PqMsg_Describe = 'D';
inline constexpr char PqMsg_Execute = 'E';
inline constexpr char PqMsg_FunctionCall = 'F';
inline constexpr char PqMsg_Flush = 'H';
inline constexpr char PqMsg_Parse = 'P';
inline constexpr char PqMsg_Query = 'Q';
inline constexpr char PqMsg_Sync = 'S';
inline constexpr char PqMsg_Terminate = 'X';
inline constexpr char PqMsg_CopyFail = 'f';
inline constexpr char PqMsg_PasswordMessage = 'p';  // also SASLInitialResponse / SASLResponse

// Backend (server → client) message types.
inline constexpr char PqMsg_Authentication = 'R';
inline constexpr char PqMsg_BackendKeyData = 'K';
inline constexpr char PqMsg_ParameterStatus = 'S';
inline constexpr char PqMsg_ReadyForQuery = 'Z';
inline constexpr char PqMsg_ErrorResponse = 'E';
inline constexpr char PqMsg_NoticeResponse = 'N';
inline constexpr char PqMsg_NegotiateProtocolVersion = 'v';
inline constexpr char PqMsg_ParseComplete = '1';
inline constexpr char PqMsg_CloseComplete = '3';
inline constexpr char PqMsg_BindComplete = '2';
inline constexpr char PqMsg_CommandComplete = 'C';
inline constexpr char PqMsg_DataRow = 'D';
inline constexpr char PqMsg_EmptyQueryResponse = 'I';

// Messages common to both directions.
inline constexpr char PqMsg_CopyData = 'd';
inline constexpr char PqMsg_CopyDone = 'c';

// Startup packet codes (the int32 after the length of an untyped startup packet).
inline constexpr std::uint32_t protocol_version(std::uint32_t major, std::uint32_t minor) {
    return (major << 16) | minor;
}
inline constexpr std::uint32_t cancel_request_code = (1234u << 16) | 5678u;  // 80877102
inline constexpr std::uint32_t negotiate_ssl_code = (1234u << 16) | 5679u;   // 80877103
inline constexpr std::uint32_t negotiate_gss_code = (1234u << 16) | 5680u;   // 80877104
// pgroute's own, not PostgreSQL's: a CancelRequest one pgroute instance sends on to the peer
// whose key it carries. The receiver looks the key up among its own and never sends it further,
// so that instances whose peering settings disagree cannot pass a request round forever.
inline constexpr std::uint32_t peer_cancel_request_code = (1234u << 16) | 7700u;  // 80879122

// Every typed frame starts with a type byte and an int32 length that counts itself.
inline constexpr std::size_t frame_header_size = 5;
// PostgreSQL's own ceiling on a startup packet (its MAX_STARTUP_PACKET_LENGTH).
inline constexpr std::uint32_t max_startup_packet_length = 10000;
// PostgreSQL's ceiling on any message body it accepts (its PQ_LARGE_MESSAGE_LIMIT).
inline constexpr std::uint32_t pq_large_message_limit = 0x3fffffff;

}  // namespace pgroute::protocol

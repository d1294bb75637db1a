#include "node/handshake.h"

#include <utility>

#include "crypto/sha256.h"

namespace shulian::node {

namespace {

constexpr std::string_view kAuthLabel = "shulian-peer/1 auth";
constexpr std::string_view kTranscriptLabel = "shulian-peer/1 transcript";

std::string_view RoleName(HandshakeRole role) {
  return role == HandshakeRole::kInitiator ? "initiator" : "responder";
}

HandshakeRole OtherRole(HandshakeRole role) {
  return role == HandshakeRole::kInitiator ? HandshakeRole::kResponder : HandshakeRole::kInitiator;
}

}  // namespace

bool IsValidNetworkId(std::string_view network_id) {
  if (network_id.empty() || network_id.size() > kNetworkIdBytesMax) return false;
  for (char c : network_id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

Bytes EncodeHello(const Hello& hello) {
  ByteWriter writer(kHelloBytesMax);
  writer.PutFixed(AsBytes(kPeerMagic));
  writer.PutString(hello.network_id);
  writer.PutU64(hello.node_id);
  writer.PutFixed(hello.ephemeral_key.view());
  return writer.Take();
}

Result<Hello> ParseHello(ByteView bytes) {
  if (bytes.size() > kHelloBytesMax) {
    return Status::InvalidArgument("hello is " + std::to_string(bytes.size()) + " bytes, more than " +
                                   std::to_string(kHelloBytesMax));
  }
  ByteReader reader(bytes);
  Result<ByteView> magic = reader.GetFixed(kPeerMagic.size());
  if (!magic.ok() || AsStringView(*magic) != kPeerMagic) {
    return Status::InvalidArgument("hello.magic: not a \"shulian-peer/1\" peer");
  }
  Hello hello;
  Result<std::string> network_id = reader.GetString(kNetworkIdBytesMax);
  if (!network_id.ok()) {
    return Status::InvalidArgument("hello.network_id: " + network_id.status().message());
  }
  if (!IsValidNetworkId(*network_id)) {
    return Status::InvalidArgument("hello.network_id: must be 1..64 bytes of [a-z0-9._-]");
  }
  hello.network_id = std::move(network_id).value();
  Result<uint64_t> node_id = reader.GetU64();
  if (!node_id.ok()) return Status::InvalidArgument("hello.node_id: " + node_id.status().message());
  hello.node_id = *node_id;
  Result<std::array<uint8_t, crypto::kKxPublicKeyBytes>> key = reader.GetArray<crypto::kKxPublicKeyBytes>();
  if (!key.ok()) {
    return Status::InvalidArgument("hello.ephemeral_key: " + key.status().message());
  }
  hello.ephemeral_key.bytes = *key;
  Status end = reader.Finish();
  if (!end.ok()) return Status::InvalidArgument("hello: trailing bytes after ephemeral_key");
  return hello;
}

Handshake::Handshake(HandshakeRole role, std::string network_id, uint64_t self_id,
                     const crypto::KeyPair& node_key, const std::map<uint64_t, crypto::PublicKey>& peer_keys,
                     uint64_t expected_peer_id, crypto::KxKeyPair ephemeral)
    : role_(role),
      network_id_(std::move(network_id)),
      self_id_(self_id),
      node_key_(node_key),
      peer_keys_(peer_keys),
      expected_peer_id_(expected_peer_id),
      ephemeral_(std::move(ephemeral)) {
  own_hello_ = EncodeHello({network_id_, self_id_, ephemeral_.public_key()});
}

Status Handshake::CheckPeerHello(const Hello& hello) const {
  if (hello.network_id != network_id_) {
    return Status::PermissionDenied("peer is on network \"" + hello.network_id + "\", not \"" + network_id_ +
                                    "\"");
  }
  if (hello.node_id == self_id_) {
    return Status::PermissionDenied("peer claims our own node id " + std::to_string(self_id_));
  }
  if (peer_keys_.find(hello.node_id) == peer_keys_.end()) {
    return Status::PermissionDenied(
        "unknown node id " + std::to_string(hello.node_id) +
        " (not a validator the ledger lists, nor a configured peer it has never listed)");
  }
  if (role_ == HandshakeRole::kInitiator && hello.node_id != expected_peer_id_) {
    return Status::PermissionDenied("dialled node " + std::to_string(expected_peer_id_) +
                                    " but it claims to be node " + std::to_string(hello.node_id));
  }
  return Status::Ok();
}

Result<Bytes> Handshake::OnPeerHello(ByteView hello_bytes) {
  if (channel_.has_value() || open_) {
    return Status::FailedPrecondition("peer hello already received");
  }
  ASSIGN_OR_RETURN(Hello hello, ParseHello(hello_bytes));
  claimed_peer_id_ = hello.node_id;
  RETURN_IF_ERROR(CheckPeerHello(hello));
  bool initiator = role_ == HandshakeRole::kInitiator;
  ASSIGN_OR_RETURN(crypto::SessionKeys keys, initiator ? ephemeral_.ClientSessionKeys(hello.ephemeral_key)
                                                       : ephemeral_.ServerSessionKeys(hello.ephemeral_key));
  ByteWriter transcript;
  transcript.PutString(kTranscriptLabel);
  transcript.PutBytes(initiator ? ByteView(own_hello_) : hello_bytes);
  transcript.PutBytes(initiator ? hello_bytes : ByteView(own_hello_));
  transcript_ = crypto::Sha256(transcript.bytes());
  channel_.emplace(std::move(keys));
  peer_id_ = hello.node_id;
  crypto::Signature signature = node_key_.Sign(SignedMessage(role_));
  return channel_->Seal(signature.view());
}

Bytes Handshake::SignedMessage(HandshakeRole signer) const {
  ByteWriter writer;
  writer.PutString(kAuthLabel);
  writer.PutString(RoleName(signer));
  writer.PutFixed(transcript_.view());
  return writer.Take();
}

Status Handshake::OnPeerAuth(ByteView auth_frame) {
  if (!channel_.has_value() || open_) {
    return Status::FailedPrecondition("auth frame out of order");
  }
  ASSIGN_OR_RETURN(Bytes plaintext, channel_->Open(auth_frame));
  if (plaintext.size() != 64) {
    return Status::InvalidArgument("auth frame holds " + std::to_string(plaintext.size()) +
                                   " bytes, not a 64-byte signature");
  }
  crypto::Signature signature;
  std::copy(plaintext.begin(), plaintext.end(), signature.bytes.begin());
  // The trusted keys may change between the hello and this frame (a ledger apply).
  auto trusted = peer_keys_.find(peer_id_);
  if (trusted == peer_keys_.end()) {
    return Status::PermissionDenied("node " + std::to_string(peer_id_) +
                                    " stopped being trusted during the handshake");
  }
  if (!crypto::Verify(trusted->second, SignedMessage(OtherRole(role_)), signature)) {
    return Status::PermissionDenied("node " + std::to_string(peer_id_) +
                                    " failed to prove its node key (signature does not verify "
                                    "against the key trusted for it)");
  }
  peer_key_ = trusted->second;
  open_ = true;
  return Status::Ok();
}

crypto::SecureChannel Handshake::TakeChannel() {
  assert(open_ && channel_.has_value());
  crypto::SecureChannel channel = std::move(*channel_);
  channel_.reset();
  return channel;
}

}  // namespace shulian::node

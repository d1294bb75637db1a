#include "ledger/block.h"

#include <limits>
#include <string>

namespace shulian::ledger {
namespace {

// Header fields without the domain tag: the tag is part of what is hashed, not
// of what is stored (docs/encoding.md).
constexpr size_t kHeaderFieldsBytes = 8 + 32 + 8 + 8 + 4 + 8 + 32;

void PutHeaderFields(const BlockHeader& header, ByteWriter& writer) {
  writer.PutU64(header.height);
  writer.PutFixed(header.previous_hash.view());
  writer.PutI64(header.time_ms);
  writer.PutU64(header.proposer);
  writer.PutU32(header.tx_count);
  writer.PutU64(header.tx_log_size);
  writer.PutFixed(header.tx_log_root.view());
}

Status InField(const Status& status, std::string_view field) {
  return status.WithContext("block." + std::string(field));
}

Result<BlockHeader> GetHeaderFields(ByteReader& reader) {
  BlockHeader header;
  auto height = reader.GetU64();
  if (!height.ok()) return InField(height.status(), "height");
  if (*height == 0) return Status::InvalidArgument("block.height: must be at least 1 (0 is genesis)");
  header.height = *height;

  auto previous_hash = reader.GetArray<32>();
  if (!previous_hash.ok()) return InField(previous_hash.status(), "previous_hash");
  header.previous_hash.bytes = *previous_hash;

  auto time_ms = reader.GetI64();
  if (!time_ms.ok()) return InField(time_ms.status(), "time_ms");
  header.time_ms = *time_ms;

  auto proposer = reader.GetU64();
  if (!proposer.ok()) return InField(proposer.status(), "proposer");
  header.proposer = *proposer;

  auto tx_count = reader.GetU32();
  if (!tx_count.ok()) return InField(tx_count.status(), "tx_count");
  header.tx_count = *tx_count;

  auto tx_log_size = reader.GetU64();
  if (!tx_log_size.ok()) return InField(tx_log_size.status(), "tx_log_size");
  header.tx_log_size = *tx_log_size;

  auto tx_log_root = reader.GetArray<32>();
  if (!tx_log_root.ok()) return InField(tx_log_root.status(), "tx_log_root");
  header.tx_log_root.bytes = *tx_log_root;
  return header;
}

Status GetTransactions(ByteReader& reader, const BlockHeader& header, const BlockLimits& limits,
                       std::vector<Transaction>& out) {
  auto count = reader.GetU32();
  if (!count.ok()) return InField(count.status(), "transactions");
  if (*count > limits.transactions_max) {
    return Status::InvalidArgument("block.transactions: " + std::to_string(*count) +
                                   " transactions, limit is " + std::to_string(limits.transactions_max));
  }
  if (*count != header.tx_count) {
    return Status::InvalidArgument("block.tx_count: header says " + std::to_string(header.tx_count) +
                                   ", block carries " + std::to_string(*count));
  }
  out.reserve(*count);
  for (uint32_t i = 0; i < *count; ++i) {
    const std::string field = "transactions[" + std::to_string(i) + "]";
    auto bytes = reader.GetBytes(limits.block_bytes_max);
    if (!bytes.ok()) return InField(bytes.status(), field);
    auto tx = Transaction::Decode(*bytes, limits.tx);
    if (!tx.ok()) return InField(tx.status(), field);
    out.push_back(std::move(tx).value());
  }
  return Status::Ok();
}

}  // namespace

Bytes BlockHeader::Encode() const {
  ByteWriter writer(kBlockDomainTag.size() + kHeaderFieldsBytes);
  writer.PutFixed(AsBytes(kBlockDomainTag));
  PutHeaderFields(*this, writer);
  return writer.Take();
}

crypto::Digest BlockHeader::Hash() const {
  return crypto::Sha256(Encode());
}

Bytes BlockHeader::EncodeFields() const {
  ByteWriter writer(kHeaderFieldsBytes);
  PutHeaderFields(*this, writer);
  return writer.Take();
}

Result<BlockHeader> BlockHeader::DecodeFields(ByteView encoded) {
  if (encoded.size() != kHeaderFieldsBytes) {
    return Status::InvalidArgument("block header: " + std::to_string(encoded.size()) + " bytes, expected " +
                                   std::to_string(kHeaderFieldsBytes));
  }
  ByteReader reader(encoded);
  return GetHeaderFields(reader);
}

Bytes Block::Encode() const {
  std::vector<Bytes> encoded_transactions;
  encoded_transactions.reserve(transactions.size());
  size_t total_bytes = kHeaderFieldsBytes + signature.bytes.size() + 4;
  for (const Transaction& tx : transactions) {
    encoded_transactions.push_back(tx.Encode());
    total_bytes += 4 + encoded_transactions.back().size();
  }
  ByteWriter writer(total_bytes);
  PutHeaderFields(header, writer);
  writer.PutFixed(signature.view());
  assert(transactions.size() <= std::numeric_limits<uint32_t>::max());
  writer.PutU32(static_cast<uint32_t>(transactions.size()));
  for (const Bytes& tx : encoded_transactions) writer.PutBytes(tx);
  return writer.Take();
}

Result<Block> Block::Decode(ByteView encoded, const BlockLimits& limits) {
  if (encoded.size() > limits.block_bytes_max) {
    return Status::InvalidArgument("block: " + std::to_string(encoded.size()) + " bytes, limit is " +
                                   std::to_string(limits.block_bytes_max));
  }
  ByteReader reader(encoded);
  Block block;
  ASSIGN_OR_RETURN(block.header, GetHeaderFields(reader));
  auto signature = reader.GetArray<64>();
  if (!signature.ok()) return InField(signature.status(), "signature");
  block.signature.bytes = *signature;
  RETURN_IF_ERROR(GetTransactions(reader, block.header, limits, block.transactions));
  Status finished = reader.Finish();
  if (!finished.ok()) return finished.WithContext("block");
  return block;
}

Result<BlockHeader> Block::DecodeHeader(ByteView encoded) {
  ByteReader reader(encoded);
  return GetHeaderFields(reader);
}

void Block::Sign(const crypto::KeyPair& node_key) {
  signature = node_key.Sign(header.Hash().view());
}

bool Block::VerifySignature(const crypto::PublicKey& node_key) const {
  return crypto::Verify(node_key, header.Hash().view(), signature);
}

}  // namespace shulian::ledger

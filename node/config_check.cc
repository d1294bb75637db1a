#include "node/config_check.h"

#include <unistd.h>

#include <string>
#include <system_error>

namespace shulian::node {
namespace {

std::string U64(uint64_t value) { return std::to_string(value); }

const crypto::PublicKey* ValidatorKey(const ledger::Genesis& genesis, uint64_t id) {
  for (const ledger::Validator& v : genesis.validators) {
    if (v.node_id == id) return &v.public_key;
  }
  return nullptr;
}

// Every peer the genesis lists must carry the genesis key, and every genesis
// validator must be a peer: otherwise the node would refuse or never reach it.
Status CheckPeers(const NodeConfig& config, const ledger::Genesis& genesis) {
  for (size_t i = 0; i < config.peers.size(); ++i) {
    const PeerEntry& peer = config.peers[i];
    const crypto::PublicKey* listed = ValidatorKey(genesis, peer.id);
    if (listed != nullptr && *listed != peer.public_key) {
      return Status::InvalidArgument("peers[" + std::to_string(i) + "].public_key: does not match the genesis validator " +
                                     U64(peer.id));
    }
  }
  for (const ledger::Validator& v : genesis.validators) {
    if (v.node_id != config.node_id && config.FindPeer(v.node_id) == nullptr) {
      return Status::InvalidArgument("peers: genesis validator " + U64(v.node_id) + " is missing");
    }
  }
  return Status::Ok();
}

// The data folder must be a folder this process can write, or be creatable: the
// nearest existing ancestor must be a writable folder. Nothing is created here.
Status CheckDataDir(const std::filesystem::path& data_dir) {
  std::filesystem::path probe = data_dir;
  std::error_code error;
  while (!probe.empty() && !std::filesystem::exists(probe, error)) probe = probe.parent_path();
  if (probe.empty()) probe = ".";
  if (!std::filesystem::is_directory(probe, error)) {
    return Status::InvalidArgument("data_dir: " + probe.string() + " is not a folder");
  }
  if (::access(probe.c_str(), W_OK | X_OK) != 0) {
    return Status::IoError("data_dir: " + probe.string() + " is not writable by this user");
  }
  return Status::Ok();
}

}  // namespace

Result<CheckedFiles> CheckNodeFiles(const NodeConfig& config) {
  CheckedFiles out;
  Result<ledger::Genesis> genesis = ledger::LoadGenesisFile(config.genesis_path.string());
  if (!genesis.ok()) return Status::InvalidArgument("genesis: " + genesis.status().message());
  out.genesis = std::move(genesis).value();
  if (out.genesis.network_id != config.network_id) {
    return Status::InvalidArgument("network_id: \"" + config.network_id + "\" differs from the genesis network id \"" +
                                   out.genesis.network_id + "\"");
  }
  Result<crypto::KeyPair> key = crypto::KeyPair::LoadFromFile(config.node_key_path);
  if (!key.ok()) return Status::InvalidArgument("node_key: " + key.status().message());
  out.node_key = std::make_shared<const crypto::KeyPair>(std::move(key).value());
  // A node the genesis does not list joins later: an add_validator transaction puts
  // it in the ledger and the leader adds it to Raft (node/membership.h). Its key is
  // then checked by everyone else: the ledger refuses its blocks and checkpoint
  // votes unless they verify under the key the add_validator recorded.
  const crypto::PublicKey* own = ValidatorKey(out.genesis, config.node_id);
  // With a database the ledger may have rotated the key (rotate_validator_key):
  // the node compares it with the ledger's once the database is open.
  std::error_code exists_error;
  const bool has_database = std::filesystem::exists(config.data_dir / "db", exists_error);
  if (own != nullptr && *own != out.node_key->public_key()) {
    if (!has_database) {
      return Status::InvalidArgument(
          "node_key: does not match the public key the genesis lists for validator " + U64(config.node_id) +
          " (and there is no database whose ledger could have rotated it)");
    }
    out.key_differs_from_genesis = true;
  }
  out.joining = own == nullptr;
  RETURN_IF_ERROR(CheckPeers(config, out.genesis));
  RETURN_IF_ERROR(CheckDataDir(config.data_dir));
  return out;
}

}  // namespace shulian::node

// The console's static files, embedded into the binary at build time
// (console/embed.cmake), and the headers every console response carries.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace shulian::console {

struct EmbeddedFile {
  std::string_view name;   // base name: "index.html"
  std::string_view bytes;  // the file's exact bytes
};

// Every embedded file, in build order. Defined in the generated assets_data.cc.
const std::vector<EmbeddedFile>& EmbeddedFiles();

struct Asset {
  std::string_view bytes;
  std::string_view content_type;
};

// The file called `name` with its media type; nullopt for any other name
// (no path separators: the console is one flat folder).
std::optional<Asset> FindAsset(std::string_view name);

// The Content-Security-Policy of every console response: nothing but this
// origin, no inline script, no framing (docs/console.md).
inline constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

}  // namespace shulian::console

#pragma once
// --password-file: the password is the file's first line (a trailing CR or spaces dropped), so a
// secret never appears on a command line or in a URL that a message could show.
#include <string>

namespace etl {

std::string read_password_file(const std::string& path);

}  // namespace etl

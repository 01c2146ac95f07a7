/*
 * sql_error.h: the exception type of vecrbac's pure C++ code.
 *
 * Pure C++ parts (JWT, claims, kernels) include no PostgreSQL header, yet their
 * failures must reach SQL with the right SQLSTATE. They throw SqlError carrying the
 * five-character SQLSTATE; the boundary (guard.h) turns it into ereport(ERROR).
 */
#pragma once

#include <cstring>
#include <stdexcept>
#include <string>

namespace vecrbac
{

class SqlError : public std::runtime_error
{
  public:
	/* sqlstate: five characters, for example "28000" or "22023". */
	SqlError(const char *sqlstate, const std::string &message) : std::runtime_error(message)
	{
		std::size_t len = std::strlen(sqlstate);
		std::memcpy(sqlstate_, len == 5 ? sqlstate : "XX000", 5);
		sqlstate_[5] = '\0';
	}

	const char *sqlstate() const noexcept { return sqlstate_; }

  private:
	char sqlstate_[6];
};

} // namespace vecrbac

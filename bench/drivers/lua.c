// Lua driver: runs an embedded Lua 5.4 script (recursion, tables, closures,
// string formatting, metatables, coroutines, pcall errors) through Debian's
// liblua5.4.a, and calls a C function from Lua.
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <stdio.h>
#include <stdlib.h>

static const char script[] =
    "local function fib(n) if n < 2 then return n end return fib(n-1) + fib(n-2) end\n"
    "print(string.format('fib(27)=%d', fib(27)))\n"
    "local t = {}\n"
    "for i = 1, 200000 do t[i] = (i * 7919) % 10007 end\n"
    "table.sort(t)\n"
    "print('sorted', t[1], t[#t], #t)\n"
    "local words = {}\n"
    "for w in ('the quick brown fox jumps over the lazy dog the end'):gmatch('%a+') do\n"
    "  words[w] = (words[w] or 0) + 1 end\n"
    "local keys = {} for k in pairs(words) do keys[#keys+1] = k end table.sort(keys)\n"
    "for _, k in ipairs(keys) do io.write(k, '=', words[k], ' ') end print()\n"
    "local V = {} V.__index = V\n"
    "V.__add = function(a, b) return setmetatable({x=a.x+b.x, y=a.y+b.y}, V) end\n"
    "V.__tostring = function(v) return string.format('(%g, %g)', v.x, v.y) end\n"
    "local v = setmetatable({x=1.5, y=2}, V) for i = 1, 10 do v = v + v end print(tostring(v))\n"
    "local co = coroutine.wrap(function() for i = 1, 3 do coroutine.yield(i * i) end end)\n"
    "print('coroutine', co(), co(), co())\n"
    "local ok, err = pcall(function() error({code = 42}) end) print('pcall', ok, err.code)\n"
    "local ok2, msg = pcall(function() return nil + 1 end) print('pcall2', ok2, (msg:gsub('^.-:%d+: ', '')))\n"
    "print(string.format('%5.2f|%-6s|%x|%q', math.pi, 'ab', 255, 'q\\n'))\n"
    "print('c_mul', c_mul(6, 7), math.floor(2^40), 7 // 2, 7 % -3, 1e15)\n"
    "local parts = {} for i = 1, 20 do parts[#parts+1] = tostring(i * i) end\n"
    "print(table.concat(parts, ','))\n"
    "local s = 0 for i = 1, 3000000 do s = s + (i % 7) * 0.5 end print('loop', s)\n"
    "return 'script done'\n";

static int c_mul(lua_State *L) {
	lua_Integer a = luaL_checkinteger(L, 1), b = luaL_checkinteger(L, 2);
	lua_pushinteger(L, a * b);
	return 1;
}

int main(void) {
	lua_State *L = luaL_newstate();
	if (!L)
		return 1;
	luaL_openlibs(L);
	lua_register(L, "c_mul", c_mul);
	if (luaL_loadstring(L, script) != LUA_OK || lua_pcall(L, 0, 1, 0) != LUA_OK) {
		fprintf(stderr, "lua error: %s\n", lua_tostring(L, -1));
		lua_close(L);
		return 1;
	}
	printf("%s (%s)\n", lua_tostring(L, -1), LUA_RELEASE);
	lua_close(L);
	return 0;
}

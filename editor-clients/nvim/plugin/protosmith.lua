-- :Protosmith user command. The language server itself is configured by
-- require("protosmith").setup({...}); the command calls setup({}) if that never happened.
if vim.g.loaded_protosmith then
  return
end
vim.g.loaded_protosmith = true

if vim.fn.has("nvim-0.11") == 0 then
  vim.notify("protosmith.nvim needs Neovim 0.11 or newer", vim.log.levels.ERROR)
  return
end

vim.api.nvim_create_user_command("Protosmith", function(opts)
  require("protosmith.commands").dispatch(opts)
end, {
  nargs = "+",
  range = true,
  bang = true,
  desc = "protosmith: generate|review|refine|cancel|run|log|restart",
  complete = function(arglead, cmdline)
    return require("protosmith.commands").complete(arglead, cmdline)
  end,
})

# SPDX-License-Identifier: MIT
"""Per-command C: args struct, decoder, reply encoder, default pass-through handler."""
from .ctypes import Unsupported, c_decl, elem_kind, len_expr, len_target, objtype_value
from .emit_members import MemberCode
from .emit_structs import _body

RET_WRITERS = {'VkResult': 'i32', 'uint64_t': 'u64', 'VkDeviceAddress': 'u64', 'VkBool32': 'u32',
               'uint32_t': 'u32'}


class CommandCode:
    def __init__(self, gen, name, ident):
        self.gen, self.name, self.ident = gen, name, ident
        self.reg = gen.reg
        # `name` is the code name (Protocol.code_name); the registry may know the command
        # under a newer canonical name it aliases.
        self.cmd = self.reg.commands[self.reg.resolve(name)]
        self.mc = MemberCode(gen.reg, gen.proto, name)
        self.sib = {p.name: p for p in self.cmd.params}
        counts = {len_target(p) for p in self.cmd.params}
        self.inout = {p.name for p in self.cmd.params if p.name in counts and p.ptr}
        self.funcs = {}
        self.handler_reason = None

    def is_out(self, p):
        return p.ptr >= 1 and not p.const[0] and p.type != 'VkAllocationCallbacks'

    def args_struct(self):
        fields = [c_decl(p) + ';' for p in self.cmd.params]
        if self.cmd.ret != 'void':
            fields.append('%s ret;' % self.cmd.ret)
        if not fields:
            fields.append('char unused; /* no parameters */')
        return (['struct pv_args_%s {' % self.name] + _body(fields) + ['};', ''])

    def gen_decode(self, variant=None):
        """The decoder; with a Variant, that dialect's copy (name + suffix)."""
        sfx = variant.suffix if variant else ''
        mc = MemberCode(self.gen.reg, self.gen.proto, self.name, variant)
        body = []
        for p in self.cmd.params:
            body += mc.dec_member(p, 'a->', self.sib, 'in', out_param=self.is_out(p),
                                  inout=p.name in self.inout)
        # Before any handler runs: one destroyer per object, whichever ring gets there first.
        body += self._per_victim('d', 'pv_cs_claim')
        if variant is None:
            self.mc.deps_in |= mc.deps_in
            self.mc.deps_out |= mc.deps_out
            self.partial_deps = mc.deps_out  # structs decoded partially (out params)
        self.funcs['decode' + sfx] = (
            ['void', 'pv_decode_%s%s(struct pv_cs_decoder *d, struct pv_args_%s *a)'
             % (self.name, sfx, self.name), '{', '   (void)a;'] + _body(body or ['(void)d;']) +
            ['}', ''])

    def decode_proto(self, variant=None):
        return 'void pv_decode_%s%s(struct pv_cs_decoder *d, struct pv_args_%s *a);' % (
            self.name, variant.suffix if variant else '', self.name)

    def gen_encode(self):
        body = ['pv_cs_write_i32(e, %d);' % self.ident]
        if self.cmd.ret != 'void':
            w = RET_WRITERS.get(self.cmd.ret)
            if w is None:
                raise Unsupported('return type %s' % self.cmd.ret)
            body.append('pv_cs_write_%s(e, a->ret);' % w)
        for p in self.cmd.params:
            if self.is_out(p):
                body += self.mc.enc_member(p, 'a->', self.sib, inout=p.name in self.inout)
        self.funcs['encode'] = (
            ['void', 'pv_encode_reply_%s(struct pv_cs_encoder *e, const struct pv_args_%s *a)'
             % (self.name, self.name), '{', '   (void)a;'] + _body(body) + ['}', ''])

    # ----- default handler ---------------------------------------------------------------------
    def _contains_handle(self, t, seen):
        if elem_kind(self.reg, t) == 'handle':
            return True
        s = self.reg.structs.get(t)
        if s is None or t in seen:
            return False
        seen.add(t)
        return any(self._contains_handle(m.type, seen) for m in s.members if m.name != 'pNext')

    def default_handler_reason(self):
        """Why this command gets no generated pass-through, or None."""
        q = self.gen.proto
        if self.name in q.no_default:
            return q.no_default[self.name]
        for p in self.cmd.params:
            if (self.is_out(p) and elem_kind(self.reg, p.type) == 'struct'
                    and self._contains_handle(p.type, set())):
                return 'returns host handles inside %s; needs id translation' % p.type
        return None

    def _required_checks(self):
        out = []
        for p in self.cmd.params:
            if p.ptr == 0:
                # A handle the registry does not mark optional (the device, the command
                # buffer, ...) decodes from id 0 to VK_NULL_HANDLE; the host driver must never
                # see that, so it fails the command here.
                if elem_kind(self.reg, p.type) == 'handle' and not (p.optional and p.optional[0]):
                    out += ['if (a->%s == VK_NULL_HANDLE) {' % p.name,
                            '   pv_cs_set_fatal(c->dec, "%s: %s is id 0");' % (self.name, p.name),
                            '   return;', '}']
                continue
            if p.type == 'VkAllocationCallbacks' or (p.optional and p.optional[0]):
                continue
            if p.len and p.len[0] != 'null-terminated':
                cond = '!a->%s && %s != 0' % (p.name, len_expr(self.reg, p, 'a->', self.sib))
            else:
                cond = '!a->%s' % p.name
            out += ['if (%s) {' % cond,
                    '   pv_cs_set_fatal(c->dec, "%s: %s missing");' % (self.name, p.name),
                    '   return;', '}']
        return out

    def _created(self):
        """(save lines, register lines) for out handle params (new objects, guest ids)."""
        save, reg = [], []
        ok = 'a->ret >= 0' if self.cmd.ret == 'VkResult' else 'true'
        for p in self.cmd.params:
            if not self.is_out(p) or elem_kind(self.reg, p.type) != 'handle':
                continue
            ot = objtype_value(self.reg, p.type)
            n = len_expr(self.reg, p, 'a->', self.sib) if p.len else '1'
            ids = 'ids_%s' % p.name
            save += ['uint64_t *%s = pv_cs_alloc(c->dec, a->%s ? %s : 0, sizeof(uint64_t));'
                     % (ids, p.name, n),
                     'for (uint64_t i = 0; %s && i < (uint64_t)%s; i++) {' % (ids, n),
                     '   %s[i] = PV_FROM_HANDLE(a->%s[i]);' % (ids, p.name),
                     # Checked before the host call, so a refused id never leaves a host object.
                     '   if (%s[i] == 0) {' % ids,
                     '      pv_cs_set_fatal(c->dec, "%s: new object with id 0");' % self.name,
                     '      return;',
                     '   }',
                     '}']
            if self.cmd.ret == 'VkResult':
                # Quota: refused before the host call, reported the way a driver would.
                save += ['if (!pv_cs_admit(c->dec, %d, a->%s ? %s : 0)) {' % (ot, p.name, n),
                         '   a->ret = VK_ERROR_OUT_OF_HOST_MEMORY;', '   return;', '}']
            reg += ['for (uint64_t i = 0; %s && i < (uint64_t)%s; i++) {' % (ids, n),
                    '   if (%s && a->%s[i] != VK_NULL_HANDLE)' % (ok, p.name),
                    '      pv_cs_created(c->dec, %d, %s[i], PV_FROM_HANDLE(a->%s[i]));'
                    % (ot, ids, p.name),
                    '   a->%s[i] = PV_TO_HANDLE(%s, %s[i]); /* the reply echoes ids */'
                    % (p.name, p.type, ids), '}']
        return save, reg

    def _victim(self):
        """The parameter naming what a vkDestroy* / vkFree* destroys (its last handle), or None."""
        if not (self.name.startswith('vkDestroy') or self.name.startswith('vkFree')):
            return None
        victims = [p for p in self.cmd.params
                   if elem_kind(self.reg, p.type) == 'handle' and not self.is_out(p)]
        return victims[-1] if victims else None

    def _per_victim(self, dec, call):
        """`call`(dec, objtype, host) for each object the command destroys."""
        p = self._victim()
        if p is None:
            return []
        ot = objtype_value(self.reg, p.type)
        if p.ptr == 0:
            return ['%s(%s, %d, PV_FROM_HANDLE(a->%s));' % (call, dec, ot, p.name)]
        n = len_expr(self.reg, p, 'a->', self.sib)
        return ['for (uint64_t i = 0; a->%s && i < (uint64_t)%s; i++)' % (p.name, n),
                '   %s(%s, %d, PV_FROM_HANDLE(a->%s[i]));' % (call, dec, ot, p.name)]

    def _destroyed(self):
        return self._per_victim('c->dec', 'pv_cs_destroyed')

    def _later_destroy(self):
        """The victim of a vkDestroy*(device, object, pAllocator) or vkFreeMemory: one device
        child whose host destroy can wait for the other paths (pv_dispatch_ctx.destroy_later)."""
        p = self._victim()
        ps = self.cmd.params
        if (p is None or p.ptr != 0 or self.cmd.ret != 'void' or len(ps) != 3 or
                ps[0].type != 'VkDevice' or ps[1] is not p or
                ps[2].type != 'VkAllocationCallbacks'):
            return None
        return p

    def _destroy_later_code(self, short, call):
        """(head, calls) of a handler whose host destroy goes through destroy_later."""
        p = self._later_destroy()
        if p is None:
            return [], [call]
        head = ['static void',
                'pv_destroy_%s(pv_host_fn fn, uint64_t parent, uint64_t victim)' % self.name,
                '{',
                '   ((PFN_%s)fn)(PV_TO_HANDLE(VkDevice, parent), PV_TO_HANDLE(%s, victim), NULL);'
                % (self.name, p.type),
                '}', '']
        # memory and query pools give quota back (objects.c remove_upto marks the same types)
        quota = 'true' if self.name in ('vkFreeMemory', 'vkDestroyQueryPool') else 'false'
        calls = ['if (c->destroy_later && a->%s != VK_NULL_HANDLE) {' % p.name,
                 '   /* another ring\'s running command may still pass it to the host */',
                 '   c->destroy_later(c, pv_destroy_%s, (pv_host_fn)c->vk->%s, '
                 'PV_FROM_HANDLE(a->device), PV_FROM_HANDLE(a->%s), %s);'
                 % (self.name, short, p.name, quota),
                 '} else {',
                 '   ' + call,
                 '}']
        return head, calls

    def gen_handler(self):
        self.handler_reason = self.default_handler_reason()
        if self.handler_reason:
            return
        short = self.name[2:]
        args = ', '.join('NULL' if p.type == 'VkAllocationCallbacks' else 'a->' + p.name
                         for p in self.cmd.params)
        host_call = '%s(%s);' % (short, args)
        call = 'c->vk->' + host_call
        if self.cmd.ret != 'void':
            call = 'a->ret = ' + call
        save, reg = self._created()
        head, calls = self._destroy_later_code(short, call)
        if self._deferrable(save, reg):
            # The host call alone, so a recording thread can make it later (pv_protocol.h
            # pv_dispatch_ctx.defer); every check above it stays on the decoding thread.
            head = ['static void',
                    'pv_call_%s(const struct pv_vk_dispatch *vk, void *args)' % self.name, '{',
                    '   struct pv_args_%s *a = args;' % self.name,
                    '   vk->' + host_call, '}', '']
            # Both ways end in a tail call, so the handler needs no stack frame: without a
            # recorder this costs one load and branch (an inline call to c->defer cost about
            # 20 instructions per command, callgrind).
            calls = ['if (__builtin_expect(c->defer != NULL, 0)) {',
                     '   pv_protocol_defer_or_call(c, pv_call_%s, args);' % self.name,
                     '   return;', '}', call]
        body = (['struct pv_args_%s *a = args;' % self.name,
                 'if (!c->vk || !c->vk->%s) {' % short,
                 '   pv_cs_set_fatal(c->dec, "host driver lacks %s");' % self.name,
                 '   return;', '}'] + self._required_checks() + save + calls + reg +
                self._destroyed())
        self.funcs['handler'] = head + [
            'void', 'pv_handle_%s(struct pv_dispatch_ctx *c, void *args)' % self.name,
            '{'] + _body(body) + ['}', '']

    def _deferrable(self, save, reg):
        """A vkCmd* that only records: no result, no new objects, nothing written back."""
        return (self.name.startswith('vkCmd') and self.cmd.ret == 'void' and not save and
                not reg and not any(self.is_out(p) for p in self.cmd.params))

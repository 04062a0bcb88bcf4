#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Tests codegen/gen_cmd_scope.py on small registries: the classes it emits (scope, level, bind
point, aliases, the level policy) and that a registry it cannot judge fails with a message.

usage: test_gen_cmd_scope.py codegen/gen_cmd_scope.py"""
import os
import subprocess
import sys
import tempfile

HEAD = '<registry><commands>'
TAIL = '</commands></registry>'


def cmd(name, rp='both', levels='primary,secondary'):
    attrs = ''
    if rp is not None:
        attrs += ' renderpass="%s"' % rp
    if levels is not None:
        attrs += ' cmdbufferlevel="%s"' % levels
    return ('<command%s><proto><type>void</type> <name>%s</name></proto>'
            '<param><type>VkCommandBuffer</type> <name>commandBuffer</name></param></command>'
            % (attrs, name))


GOOD = HEAD + ''.join([
    cmd('vkCmdDraw', 'inside'),
    cmd('vkCmdDispatchBase', 'outside'),
    cmd('vkCmdExecuteCommands', 'both'),
    cmd('vkCmdBeginRenderPass', 'outside', 'primary'),
    cmd('vkCmdPipelineBarrier'),
    '<command name="vkCmdDispatchBaseKHR" alias="vkCmdDispatchBase"/>',
    '<command><proto><type>VkResult</type> <name>vkQueueWaitIdle</name></proto></command>',
]) + TAIL

EXPECTED = {
    'vkCmdBeginRenderPass': 'PV_SCOPE_CMD | PV_SCOPE_OUTSIDE | PV_SCOPE_PRIMARY',
    'vkCmdDispatchBase': 'PV_SCOPE_CMD | PV_SCOPE_OUTSIDE | PV_SCOPE_PRIMARY | '
                         'PV_SCOPE_SECONDARY | PV_SCOPE_BIND(PV_BIND_COMPUTE)',
    'vkCmdDispatchBaseKHR': 'PV_SCOPE_CMD | PV_SCOPE_OUTSIDE | PV_SCOPE_PRIMARY | '
                            'PV_SCOPE_SECONDARY | PV_SCOPE_BIND(PV_BIND_COMPUTE)',
    'vkCmdDraw': 'PV_SCOPE_CMD | PV_SCOPE_INSIDE | PV_SCOPE_PRIMARY | PV_SCOPE_SECONDARY | '
                 'PV_SCOPE_BIND(PV_BIND_GRAPHICS)',
    # vk.xml says primary,secondary; the policy narrows it
    'vkCmdExecuteCommands': 'PV_SCOPE_CMD | PV_SCOPE_INSIDE | PV_SCOPE_OUTSIDE | '
                            'PV_SCOPE_PRIMARY',
    'vkCmdPipelineBarrier': 'PV_SCOPE_CMD | PV_SCOPE_INSIDE | PV_SCOPE_OUTSIDE | '
                            'PV_SCOPE_PRIMARY | PV_SCOPE_SECONDARY',
}

BAD = {
    'no renderpass attribute': HEAD + cmd('vkCmdExecuteCommands') + cmd('vkCmdDraw', None) + TAIL,
    'bad renderpass value': HEAD + cmd('vkCmdExecuteCommands') + cmd('vkCmdDraw', 'maybe') + TAIL,
    'no cmdbufferlevel': HEAD + cmd('vkCmdExecuteCommands') + cmd('vkCmdDraw', 'inside', None) +
                         TAIL,
    'unknown level': HEAD + cmd('vkCmdExecuteCommands') + cmd('vkCmdDraw', 'inside', 'tertiary') +
                     TAIL,
    'alias of nothing': HEAD + cmd('vkCmdExecuteCommands') +
                        '<command name="vkCmdFooKHR" alias="vkCmdFoo"/>' + TAIL,
    'no vkCmd at all': HEAD + TAIL,
    'policy for a command the registry lacks': HEAD + cmd('vkCmdDraw', 'inside') + TAIL,
    'truncated XML': HEAD + cmd('vkCmdDraw', 'inside'),
}


def run(gen, xml, tmp):
    reg = os.path.join(tmp, 'vk.xml')
    out = os.path.join(tmp, 'out.c')
    with open(reg, 'w') as f:
        f.write(xml)
    if os.path.exists(out):
        os.unlink(out)
    p = subprocess.run([sys.executable, gen, '--registry', reg, '--out', out],
                       capture_output=True, text=True)
    text = open(out).read() if os.path.exists(out) else None
    return p.returncode, p.stderr, text


def main():
    gen = sys.argv[1]
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        rc, err, text = run(gen, GOOD, tmp)
        if rc != 0:
            print('FAIL good registry: %s' % err)
            return 1
        rows = {}
        for line in text.splitlines():
            line = line.strip()
            if line.startswith('{"'):
                name, flags = line[2:].rstrip('},').split('", ', 1)
                rows[name] = flags
        if rows != EXPECTED:
            print('FAIL classes:\n  got      %s\n  expected %s' % (rows, EXPECTED))
            failures += 1
        if 'vkQueueWaitIdle' in text or 'do not edit' not in text:
            print('FAIL: a non-recorded command in the table, or no generated stamp')
            failures += 1
        for what, xml in BAD.items():
            rc, err, text = run(gen, xml, tmp)
            if rc == 0 or 'gen_cmd_scope.py: error:' not in err or text is not None:
                print('FAIL %s: rc %d, stderr %r, output written: %s' % (what, rc, err,
                                                                        text is not None))
                failures += 1
    print('%s: %d good classes, %d bad registries refused' %
          ('FAIL' if failures else 'ok', len(EXPECTED), len(BAD)))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())

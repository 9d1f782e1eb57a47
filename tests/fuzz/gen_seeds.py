#!/usr/bin/env python3
# gen_seeds.py - writes the small synthetic seed streams of fuzz_mig into DIR
# (tests/fuzz/seeds/mig); formats per snapshot-formats.md §2-§4. Usage: gen_seeds.py tests/fuzz/seeds/mig
import struct, json, sys, os
PS=4096
out=sys.argv[1]
def be32(v): return struct.pack('>I',v)
def be64(v): return struct.pack('>Q',v)
def s8(s): return bytes([len(s)])+s.encode()
def hdr(): return b'QEVM'+be32(3)
def config(m, subs=b''): return b'\x07'+be32(len(m))+m.encode()+subs
def sub(name, ver, payload): return b'\x05'+s8(name)+be32(ver)+payload
def sec(t,i,name,inst,ver): return bytes([t])+be32(i)+s8(name)+be32(inst)+be32(ver)
def foot(i): return b'\x7e'+be32(i)
def page(addr, flags, blk, byte, ps=PS):
    r=be64(addr|flags)
    if not flags & 0x20: r+=s8(blk)
    r+= bytes([byte])*ps if flags & 8 else bytes([byte])
    return r
EOS=be64(0x10)
timer_dev={"name":"timer","instance_id":0,"vmsd_name":"timer","version":2,"fields":[{"name":"a","type":"int64","size":8},{"name":"u","type":"unused_buffer","size":8},{"name":"b","type":"int64","size":8}]}
cpu_fields=[{"name":"unused","type":"unused_buffer","size":8},{"name":"env.gpr","array_len":32,"type":"uint64","size":8},{"name":"env.crf","array_len":8,"type":"uint32","size":4},{"name":"env.nip","type":"uint64","size":8},{"name":"env.spr","array_len":1024,"type":"uint64","size":8},{"name":"env.spe_acc","type":"uint64","size":8},{"name":"env.reserve_addr","type":"uint64","size":8},{"name":"env.msr","type":"uint64","size":8},{"name":"env.hflags_compat_nmsr","type":"uint64","size":8}]
def cpu_dev(inst): return {"name":"cpu","instance_id":inst,"vmsd_name":"cpu","version":5,"fields":cpu_fields,"subsections":[{"vmsd_name":"cpu/fpu","version":1,"fields":[{"name":"env.vsr","array_len":32,"type":"fpr","size":8},{"name":"env.fpscr","type":"uint64","size":8}]}]}
struct_dev={"name":"ipmi","instance_id":0,"vmsd_name":"ipmi","version":2,"fields":[{"name":"bt","type":"struct","size":16,"struct":{"vmsd_name":"bt","version":1,"fields":[{"name":"x","type":"uint8","size":1},{"name":"arr","array_len":2,"type":"uint8","size":1}],"subsections":[{"vmsd_name":"bt/sub","version":1,"fields":[{"name":"n","type":"nullptr","size":1}]}]}}]}
def cpu_sec(i, inst):
    d=sec(4,i,"cpu",inst,5)+be64(0)+b''.join(be64(0x1000+k) for k in range(32))+b''.join(be32(v) for v in [8,8,0,0,2,2,2,8])+be64(0xc000000000001000)
    d+=b''.join(be64(inst*4 if n==1023 else n) for n in range(1024))+be64(0)+be64(2**64-1)+be64(0x9000000000001033)+be64(0)
    d+=sub("cpu/fpu",1,b'\0'*264)+foot(i)
    return d
def vmdesc(devs, extra=None):
    j={"page_size":PS,"devices":devs}
    if extra: j.update(extra)
    t=json.dumps(j,separators=(',',':')).encode()
    return b'\x00\x06'+be32(len(t))+t
def ram_start(blocks, extra=lambda b: b''):
    tot=sum(l for _,l in blocks)
    d=sec(1,2,"ram",0,4)+be64(tot|4)
    for n,l in blocks: d+=s8(n)+be64(l)+extra((n,l))
    return d+EOS+foot(2)
small_ps=1024  # a 1 KiB target page keeps seeds small
def w(name, data):
    open(os.path.join(out,name),'wb').write(data)
# 1: plain precopy with timer and one cpu, 4 KiB pages
d=hdr()+config("powernv9")+ram_start([("pnv.ram",4*PS)])
d+=bytes([2])+be32(2)+page(0,8,"pnv.ram",0xaa)+page(PS,0x22,None,0)+be64(0x200)+EOS+foot(2)
d+=bytes([3])+be32(2)+page(2*PS,0x28,None,0x11)+EOS+foot(2)
d+=sec(4,3,"timer",0,2)+b'\x11'*24+foot(3)+cpu_sec(5,0)
d+=vmdesc([timer_dev,cpu_dev(0)])
w("precopy-cpu",d)
# 2: small target pages (1 KiB via target-page-bits), two blocks, struct device, command
subs=sub("configuration/target-page-bits",1,be32(10))+sub("configuration/capabilities",1,be32(1)+s8("events"))+sub("configuration/uuid",1,b'U'*16)
d=hdr()+config("powernv10",subs)
d+=sec(1,2,"ram",0,4)+be64(4*1024|4)+s8("rom")+be64(1024)+s8("pnv.ram")+be64(3*1024)+EOS+foot(2)
d+=bytes([2])+be32(2)+page(0,8,"rom",1,1024)+page(1024,8,"pnv.ram",2,1024)+page(0,2,"pnv.ram",0x5a,1024)+EOS+foot(2)
d+=b'\x08'+struct.pack('>HH',0x0b,0)
d+=bytes([3])+be32(2)+page(2048,0x28,None,3,1024)+EOS+foot(2)
d+=sec(4,4,"ipmi",0,2)+b'\x01\x02\x03'+sub("bt/sub",1,b'0')+foot(4)
j={"page_size":1024,"devices":[struct_dev]}
t=json.dumps(j,separators=(',',':')).encode()
d+=b'\x00\x06'+be32(len(t))+t
w("small-pages-struct",d)
# 3: mapped-ram with 1 KiB pages (alignment not enforced by the reader)
subs=sub("configuration/target-page-bits",1,be32(10))+sub("configuration/capabilities",1,be32(2)+s8("mapped-ram")+s8("x-ignore-shared"))
d=hdr()+config("powernv9",subs)+sec(1,2,"ram",0,4)+be64(8*1024|4)
d+=s8("pnv.ram")+be64(8*1024)+be64(0)
bm=len(d)+28
po=(bm+8+1023)//1024*1024
d+=be32(1)+be64(1024)+be64(bm)+be64(po)
d+=bytes([0x8b])+b'\0'*7
d+=b'\0'*(po-len(d))+b''.join(bytes([0xa0+i])*1024 for i in range(8))
d+=be64(0x200)+EOS+foot(2)+bytes([3])+be32(2)+EOS+foot(2)
d+=sec(4,3,"timer",0,2)+b'\x11'*24+foot(3)
j={"page_size":1024,"devices":[timer_dev]}
t=json.dumps(j,separators=(',',':')).encode()
d+=b'\x00\x06'+be32(len(t))+t
w("mapped-ram",d)
# 4: postcopy advise + page size field, no vmdescription needed (no devices)
d=hdr()+b'\x08'+struct.pack('>HH',3,16)+be64(0x10000)+be64(4096)+config("powernv9")
d+=sec(1,2,"ram",0,4)+be64(2*PS|4)+s8("pnv.ram")+be64(2*PS)+be64(0x200000)+EOS+foot(2)
d+=bytes([3])+be32(2)+page(PS,8,"pnv.ram",7)+EOS+foot(2)+b'\x00'
w("postcopy-nodesc",d)
